#include "child_process.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/args.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/search_path.hpp>
#include <cstring>
#include <functional>
#include <thread>

#include "peer_jail.hpp"
#include "peer_process.hpp"

namespace tlsmatrix {

namespace bp = boost::process;
namespace asio = boost::asio;

namespace {

// Runs in the forked child before exec. Other cells' pipes and sockets must not leak into
// this child (a leaked write end hides a peer's EOF), and Boost.Process 1.74's
// limit_handles also closes async pipes, so every descriptor above stderr is marked
// close-on-exec instead. PDEATHSIG ends the child if the runner dies without cleaning up.
void prepare_child() {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
}

boost::filesystem::path resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  return bp::search_path(program);
}

}  // namespace

SpawnedChild::SpawnedChild(asio::io_context& io, bp::group& group,
                           const std::vector<std::string>& command, const std::string& root)
    : in_(io), out_(io), err_(io) {
  if (root.empty()) {
    const auto exe = resolve(command.at(0));
    if (exe.empty() || !boost::filesystem::exists(exe))
      throw std::runtime_error(fmt::format("cannot start '{}': no such program", command.at(0)));
  } else if (command.at(0).starts_with('/') &&
             !boost::filesystem::exists(boost::filesystem::path(root) / command.at(0))) {
    throw std::runtime_error(
        fmt::format("cannot start '{}': no such program in root {}", command.at(0), root));
  }
  const auto argv = jailed_command(command, root);
  const auto exe = resolve(argv.at(0));
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  try {
    child_ = bp::child(
        bp::exe = exe, bp::args = args, (bp::std_in < in_), (bp::std_out > out_),
        (bp::std_err > err_), group, bp::extend::on_exec_setup = [](auto&) { prepare_child(); });
  } catch (const bp::process_error& e) {
    throw std::runtime_error(
        fmt::format("cannot start '{}': {}", fmt::join(command, " "), e.what()));
  }
}

void SpawnedChild::send_stdin(std::string text) {
  stdin_text_ = std::make_shared<std::string>(std::move(text));
  asio::async_write(in_, asio::buffer(*stdin_text_), [this, keep = stdin_text_](auto, auto) {
    boost::system::error_code ignored;
    in_.close(ignored);
  });
}

bool SpawnedChild::ended() {
  std::error_code ec;
  return !child_.running(ec);
}

bool SpawnedChild::wait_ended(std::chrono::milliseconds grace) {
  return wait_until([this] { return ended(); }, grace);
}

void SpawnedChild::kill() {
  if (child_.valid() && !ended()) ::kill(child_.id(), SIGKILL);
}

void SpawnedChild::close_pipes() {
  boost::system::error_code ignored;
  out_.close(ignored);
  err_.close(ignored);
}

void SpawnedChild::reap() {
  std::error_code ec;
  if (child_.valid()) child_.wait(ec);
}

std::optional<int> SpawnedChild::exit_status() {
  if (!ended()) return std::nullopt;
  const int status = child_.native_exit_code();
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return std::nullopt;
}

std::string SpawnedChild::exit_description() {
  if (!ended()) return "still running";
  return wait_status_text(child_.native_exit_code());
}

ChildRun run_child(const std::vector<std::string>& command, const std::string& stdin_text,
                   std::chrono::milliseconds timeout, const std::atomic<bool>& cancelled,
                   const std::string& root) {
  ChildRun run;
  asio::io_context io;
  bp::group group;
  std::unique_ptr<SpawnedChild> child;
  try {
    child = std::make_unique<SpawnedChild>(io, group, command, root);
  } catch (const std::exception& e) {
    run.start_error = e.what();
    return run;
  }
  child->send_stdin(stdin_text);
  asio::steady_timer deadline(io, timeout), poll(io), grace(io);
  int open_pipes = 2;
  bool killed = false;
  const auto kill_all = [&] {
    if (killed) return;
    killed = true;
    std::error_code ignored;
    group.terminate(ignored);
    child->kill();
    deadline.cancel();
    poll.cancel();
    grace.expires_after(kPipeGrace);
    grace.async_wait([&](const boost::system::error_code& ec) {
      if (ec || open_pipes == 0) return;
      run.pipes_held = true;
      child->close_pipes();
    });
  };
  const auto pipe_done = [&] {
    if (--open_pipes > 0) return;
    deadline.cancel();
    poll.cancel();
    grace.cancel();
  };
  std::array<char, 4096> out_chunk{}, err_chunk{};
  std::function<void()> read_out = [&] {
    child->out().async_read_some(asio::buffer(out_chunk), [&](auto ec, std::size_t n) {
      if (ec) return pipe_done();
      if (run.stdout_text.size() + n > kMaxEventLine) {
        run.too_much = fmt::format("printed more than {} bytes on stdout", kMaxEventLine);
        kill_all();
        return pipe_done();
      }
      run.stdout_text.append(out_chunk.data(), n);
      read_out();
    });
  };
  std::function<void()> read_err = [&] {
    child->err().async_read_some(asio::buffer(err_chunk), [&](auto ec, std::size_t n) {
      if (ec) return pipe_done();
      if (run.stderr_text.size() < kMaxStderr) run.stderr_text.append(err_chunk.data(), n);
      read_err();
    });
  };
  read_out();
  read_err();
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (ec || open_pipes == 0) return;
    run.timed_out = true;
    kill_all();
  });
  std::function<void()> poll_cancel = [&] {
    poll.expires_after(std::chrono::milliseconds(100));
    poll.async_wait([&](const boost::system::error_code& ec) {
      if (ec || open_pipes == 0) return;
      if (!cancelled) return poll_cancel();
      run.cancelled = true;
      kill_all();
    });
  };
  poll_cancel();
  io.run();
  if (!killed) child->wait_ended(std::chrono::seconds(1));
  std::error_code ignored;
  group.terminate(ignored);  // anything the child left behind in its group
  child->kill();
  child->reap();
  run.exit = child->exit_description();
  run.exit_code = child->exit_status().value_or(-1);
  return run;
}

std::string describe_exit(const ChildRun& run) {
  return run.exit;
}

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  auto start = text.rfind('\n', end);
  return excerpt(text.substr(start == std::string::npos ? 0 : start + 1,
                             end + 1 - (start == std::string::npos ? 0 : start + 1)),
                 200);
}

std::string excerpt(const std::string& text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '.';
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace tlsmatrix
