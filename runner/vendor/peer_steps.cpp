#include "peer_steps.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>

#include "peer_process.hpp"
#include "protocol_json.hpp"

namespace tlsmatrix {

using nlohmann::json;

namespace {

std::string shown(const json& value, std::size_t max = 60) {
  return excerpt(value.dump(), max);
}

// What an event says in a summary: its kind and the fields a reader needs to follow it.
std::string event_brief(const json& event) {
  const auto kind = event["event"].get<std::string>();
  std::vector<std::string> details;
  if (const auto r = event.find("request"); r != event.end())
    details.push_back("request " + shown(*r));
  if (kind == "error") {
    const auto m = event.find("message");
    details.push_back(m == event.end() ? "no message" : shown(*m, 100));
  } else if (kind == "result") {
    const auto c = event.find("connection");
    details.push_back("connection " + (c == event.end() ? std::string("missing") : shown(*c)));
    const auto o = event.find("outcome");
    if (o != event.end() && o->is_object()) {
      if (const auto s = o->find("stage"); s != o->end()) details.push_back("stage " + shown(*s));
      if (const auto r = o->find("refused"); r != o->end() && !r->is_null())
        details.push_back("refused " + shown(*r, 80));
      if (const auto e = o->find("error");
          e != o->end() && e->is_string() && !e->get<std::string>().empty())
        details.push_back("error " + shown(*e, 80));
    }
  } else if (kind == "listening") {
    const auto p = event.find("port");
    details.push_back("port " + (p == event.end() ? std::string("missing") : shown(*p)));
  }
  return details.empty() ? fmt::format("'{}'", kind)
                         : fmt::format("'{}' ({})", kind, fmt::join(details, ", "));
}

}  // namespace

std::vector<PrintedLine> printed_lines(const std::string& stdout_text) {
  std::vector<PrintedLine> out;
  std::size_t start = 0;
  while (start < stdout_text.size()) {
    auto end = stdout_text.find('\n', start);
    if (end == std::string::npos) end = stdout_text.size();
    PrintedLine line;
    line.text = stdout_text.substr(start, end - start);
    start = end + 1;
    try {
      auto value = json::parse(line.text);
      if (!value.is_object())
        line.problem = "is JSON but not an object";
      else if (!value.contains("event") || !value["event"].is_string())
        line.problem = "is a JSON object without an \"event\" string";
      else if (!value.contains("protocol"))
        line.problem = "has no \"protocol\"";
      else if (value["protocol"] != kPeerProtocolVersion)
        line.problem = fmt::format("says \"protocol\": {}, not {}", shown(value["protocol"]),
                                   kPeerProtocolVersion);
      else
        line.event = std::move(value);
    } catch (const json::exception&) {
      line.problem = line.text.empty() ? "is empty" : "is not JSON";
    }
    out.push_back(std::move(line));
  }
  return out;
}

const PrintedLine* first_non_event(const std::vector<PrintedLine>& lines) {
  for (const auto& line : lines)
    if (!line.event) return &line;
  return nullptr;
}

std::string events_summary(const std::vector<PrintedLine>& lines) {
  std::vector<std::string> parts;
  for (const auto& line : lines)
    parts.push_back(
        line.event ? event_brief(*line.event)
                   : fmt::format("a line that {}: '{}'", line.problem, excerpt(line.text, 80)));
  if (parts.empty()) return "nothing";
  return fmt::format("{}", fmt::join(parts, ", "));
}

bool Invocation::exited() const {
  return run.start_error.empty() && !run.timed_out && !run.cancelled && run.too_much.empty() &&
         run.exit_code >= 0;
}

std::string Invocation::ending() const {
  if (!run.start_error.empty()) return "could not start: " + run.start_error;
  if (run.cancelled) return "interrupted (Ctrl-C)";
  if (run.timed_out)
    return fmt::format("did not answer within {} ms (its process group was killed)",
                       timeout.count());
  if (!run.too_much.empty()) return run.too_much + " (its process group was killed)";
  if (run.pipes_held) return run.exit + ", but something it started kept its output open";
  return run.exit;
}

std::string Invocation::came_back() const {
  auto text = fmt::format("{}; stdout: {}", ending(), events_summary(lines));
  if (!run.stderr_text.empty()) text += "; last stderr line: " + last_line(run.stderr_text);
  return text;
}

Invocation invoke_peer(const std::vector<std::string>& command, const std::string& root,
                       const std::vector<std::string>& args, const std::string& stdin_text,
                       std::chrono::milliseconds timeout, const std::atomic<bool>& cancelled) {
  auto argv = command;
  argv.insert(argv.end(), args.begin(), args.end());
  Invocation out;
  out.timeout = timeout;
  out.run = run_child(argv, stdin_text, timeout, cancelled, root);
  out.lines = printed_lines(out.run.stdout_text);
  return out;
}

std::string LivePeer::came_back() const {
  auto text = fmt::format("{}; stdout: {}", ending, events_summary(lines));
  if (!stderr_text.empty()) text += "; last stderr line: " + last_line(stderr_text);
  return text;
}

namespace {

// One instance of the peer and what it printed so far.
struct Instance {
  LivePeer& peer;
  std::unique_ptr<PeerProcess> process;
  std::string pending_stdin;
  bool out_open = false, err_open = false;

  void start(const std::vector<std::string>& command, const std::string& root,
             const EndpointConfig& config) {
    try {
      process = std::make_unique<PeerProcess>(command, root);
    } catch (const std::exception& e) {
      peer.start_error = e.what();
      peer.ending = "could not start: " + peer.start_error;
      return;
    }
    peer.started = true;
    out_open = err_open = true;
    pending_stdin = request_json(1, config).dump() + "\n";
    write_stdin();
  }

  // The request, as far as the pipe takes it now; stdin is closed after it.
  void write_stdin() {
    while (!pending_stdin.empty() && process->stdin_fd() >= 0) {
      const auto n = ::write(process->stdin_fd(), pending_stdin.data(), pending_stdin.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n < 0) {  // it closed stdin: it reads no more
        pending_stdin.clear();
        break;
      }
      pending_stdin.erase(0, static_cast<std::size_t>(n));
    }
    if (process->stdin_fd() >= 0) process->close_stdin();
  }

  // Reads what is there; false once a pipe closed or overflowed.
  void read_available(bool from_stdout) {
    std::array<char, 4096> chunk;
    const int fd = from_stdout ? process->stdout_fd() : process->stderr_fd();
    auto& open = from_stdout ? out_open : err_open;
    auto& text = from_stdout ? peer.stdout_text : peer.stderr_text;
    for (;;) {
      const auto n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n <= 0) {
        open = false;
        return;
      }
      if (from_stdout && text.size() + static_cast<std::size_t>(n) > kMaxEventLine) {
        peer.ending = fmt::format("printed more than {} bytes on stdout", kMaxEventLine);
        open = false;
        process->kill();
        return;
      }
      if (from_stdout || text.size() < kMaxStderr) text.append(chunk.data(), n);
    }
  }

  bool output_open() const { return out_open || err_open; }

  // After its output closed, or at the deadline: how it ended, reaped.
  void finish(bool deadline_passed) {
    if (!process) return;
    if (!deadline_passed && !process->wait_ended(std::chrono::milliseconds(1000)) &&
        peer.ending.empty())
      peer.ending = "closed its output but did not exit within 1000 ms (killed)";
    if (deadline_passed && !process->ended() && peer.ending.empty())
      peer.ending = "was still running at the deadline (its process group was killed)";
    process->kill();
    process->reap();
    if (peer.ending.empty()) {
      peer.ending = process->exit_description();
      peer.exit_code = process->exit_status();
    }
    peer.lines = printed_lines(peer.stdout_text);
  }
};

// Reads both instances until `done` holds, the deadline passes or `cancelled`; true when
// `done` held.
template <class Done>
bool pump(std::array<Instance*, 2> instances, std::chrono::steady_clock::time_point deadline,
          const std::atomic<bool>& cancelled, Done done) {
  for (;;) {
    if (done()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || cancelled) return false;
    std::vector<pollfd> fds;
    std::vector<std::pair<Instance*, bool>> owners;
    for (auto* in : instances) {
      if (!in || !in->process) continue;
      if (in->out_open)
        fds.push_back({in->process->stdout_fd(), POLLIN, 0}), owners.push_back({in, true});
      if (in->err_open)
        fds.push_back({in->process->stderr_fd(), POLLIN, 0}), owners.push_back({in, false});
      if (!in->pending_stdin.empty() && in->process->stdin_fd() >= 0) in->write_stdin();
    }
    if (fds.empty()) return done();
    const auto wait = std::min<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
            std::chrono::milliseconds(1),
        std::chrono::milliseconds(100));
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count())) < 0 && errno != EINTR)
      return false;
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0) owners[i].first->read_available(owners[i].second);
  }
}

// The port of the server's first `listening` event, once it printed one; `problem` says why a
// `listening` event cannot be used.
std::optional<std::uint16_t> listening_port(const LivePeer& server, std::string& problem) {
  // Only whole lines count: the last one may still be arriving.
  const auto& text = server.stdout_text;
  const auto whole =
      text.substr(0, text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  for (const auto& line : printed_lines(whole)) {
    if (!line.event || (*line.event)["event"] != "listening") continue;
    const auto port = line.event->find("port");
    if (port == line.event->end() || !port->is_number_integer() || port->get<std::int64_t>() < 1 ||
        port->get<std::int64_t>() > 65535) {
      problem = fmt::format("its 'listening' event has no \"port\" 1..65535: '{}'",
                            excerpt(line.text, 100));
      return std::nullopt;
    }
    return static_cast<std::uint16_t>(port->get<std::int64_t>());
  }
  return std::nullopt;
}

}  // namespace

PairRun run_pair(const std::vector<std::string>& command, const std::string& root,
                 const EndpointConfig& server, EndpointConfig client,
                 std::chrono::milliseconds timeout, const std::atomic<bool>& cancelled) {
  PairRun out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Instance srv{out.server, nullptr, "", false, false};
  Instance cli{out.client, nullptr, "", false, false};
  srv.start(command, root, server);
  std::optional<std::uint16_t> port;
  if (srv.process) {
    pump({&srv, nullptr}, deadline, cancelled, [&] {
      port = listening_port(out.server, out.listening_problem);
      return port.has_value() || !out.listening_problem.empty() || !srv.output_open();
    });
  }
  if (port) {
    client.connect_host = "127.0.0.1";
    client.connect_port = *port;
    cli.start(command, root, client);
  }
  const bool ended = pump({&srv, &cli}, deadline, cancelled,
                          [&] { return !srv.output_open() && !cli.output_open(); });
  out.timed_out = !ended && !cancelled;
  out.cancelled = !ended && cancelled;
  if (!out.client.started && out.client.ending.empty())
    out.client.ending = "not started: the server never announced a usable port";
  srv.finish(!ended);
  cli.finish(!ended);
  return out;
}

}  // namespace tlsmatrix
