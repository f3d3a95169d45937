#include "peer_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "peer_jail.hpp"

namespace tlsmatrix {
namespace {

// The program `name` names: itself when it has a slash, else the first match on PATH.
std::string resolve(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const auto dir = dirs.substr(0, colon);
    const auto candidate = std::string(dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return "";
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

PeerProcess::PeerProcess(const std::vector<std::string>& command, const std::string& root) {
  if (command.empty()) throw std::runtime_error("cannot start a peer: its command is empty");
  if (root.empty()) {
    const auto exe = resolve(command.front());
    if (exe.empty() || !std::filesystem::exists(exe))
      throw std::runtime_error(fmt::format("cannot start '{}': no such program", command.front()));
  } else if (command.front().starts_with('/') &&
             !std::filesystem::exists(std::filesystem::path(root) / command.front().substr(1))) {
    throw std::runtime_error(
        fmt::format("cannot start '{}': no such program in root {}", command.front(), root));
  }
  const auto argv = jailed_command(command, root);
  const auto exe = resolve(argv.front());
  if (exe.empty())
    throw std::runtime_error(fmt::format("cannot start '{}': no such program", argv.front()));
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("cannot start a peer: pipe failed");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    throw std::runtime_error("cannot start a peer: pipe failed");
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    throw std::runtime_error("cannot start a peer: pipe failed");
  }
  // The exec failure is reported through a close-on-exec pipe: it stays empty when exec works.
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    throw std::runtime_error("cannot start a peer: pipe failed");
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    // PDEATHSIG ends the child if the runner thread dies without cleaning up; its own process
    // group lets one kill reach everything it starts.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::setpgid(0, 0);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execv(exe.c_str(), args.data());
    const int e = errno;
    [[maybe_unused]] auto n = ::write(status_pipe[1], &e, sizeof e);
    ::_exit(127);
  }
  for (int fd : {in[0], out[1], err[1], status_pipe[1]}) ::close(fd);
  if (pid < 0) {
    for (int fd : {in[1], out[0], err[0], status_pipe[0]}) ::close(fd);
    throw std::runtime_error(
        fmt::format("cannot start '{}': fork failed: {}", command.front(), std::strerror(errno)));
  }
  ::setpgid(pid, pid);  // also here, so a kill right after the fork reaches the group
  pid_ = pid;
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  int exec_errno = 0;
  const auto n = ::read(status_pipe[0], &exec_errno, sizeof exec_errno);
  ::close(status_pipe[0]);
  if (n == sizeof exec_errno) {
    reap();
    close_fd(in_), close_fd(out_), close_fd(err_);
    throw std::runtime_error(
        fmt::format("cannot start '{}': {}", fmt::join(argv, " "), std::strerror(exec_errno)));
  }
  for (int fd : {in_, out_, err_}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

PeerProcess::~PeerProcess() {
  close_fd(in_), close_fd(out_), close_fd(err_);
  kill();
  reap();
}

void PeerProcess::close_stdin() {
  close_fd(in_);
}

void PeerProcess::close_output() {
  close_fd(out_), close_fd(err_);
}

bool PeerProcess::ended() {
  if (wait_status_) return true;
  if (pid_ < 0) return true;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) wait_status_ = status;
  return wait_status_.has_value();
}

bool wait_until(const std::function<bool()>& ended, std::chrono::milliseconds grace) {
  const auto until = std::chrono::steady_clock::now() + grace;
  while (!ended()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::string wait_status_text(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return fmt::format("signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  return fmt::format("wait status {}", status);
}

bool PeerProcess::wait_ended(std::chrono::milliseconds grace) {
  return wait_until([this] { return ended(); }, grace);
}

void PeerProcess::kill() {
  if (pid_ < 0 || ended()) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
}

void PeerProcess::reap() {
  if (pid_ < 0 || wait_status_) return;
  int status = 0;
  pid_t r;
  do r = ::waitpid(pid_, &status, 0);
  while (r < 0 && errno == EINTR);
  if (r == pid_) wait_status_ = status;
}

std::optional<int> PeerProcess::exit_status() {
  if (!ended() || !wait_status_) return std::nullopt;
  if (WIFEXITED(*wait_status_)) return WEXITSTATUS(*wait_status_);
  return std::nullopt;
}

std::string PeerProcess::exit_description() {
  if (!ended() || !wait_status_) return "still running";
  return wait_status_text(*wait_status_);
}

}  // namespace tlsmatrix
