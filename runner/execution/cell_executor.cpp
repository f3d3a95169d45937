#include "cell_executor.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.hpp"
#include "peer_pool.hpp"
#include "protocol_json.hpp"
#include "protocol_version.hpp"
#include "recording_relay.hpp"

namespace tlsmatrix {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// A JSON value as an error message shows it.
std::string shown(const json& value) {
  return excerpt(value.dump(), 60);
}

// Request numbers are unique in the run, so an event answering an earlier request (a peer
// that kept state, or a stale line) can never pass for this one's.
std::atomic<std::uint64_t> next_request_number{1};

// One peer process for one request and the protocol events it prints: a process started for
// this request alone, or a serving one (peers/PROTOCOL.md, "Serving many requests") that is
// done with the request at `served` and may then serve the next cell.
class PeerSession {
 public:
  using EventHandler = std::function<void(const json&)>;
  using FailHandler = std::function<void(const std::string&)>;

  PeerSession(asio::io_context& io, const PeerEntry& entry, std::string role, PeerRun& run,
              PeerPool* pool, EventHandler on_event, FailHandler on_fail,
              std::function<void()> on_closed)
      : entry_(entry),
        role_(std::move(role)),
        run_(run),
        pool_(pool),
        process_(pool ? pool->take(entry)
                      : std::make_unique<PeerProcess>(entry.command, entry.root)),
        in_(io, ::dup(process_->stdin_fd())),
        out_(io, ::dup(process_->stdout_fd())),
        err_(io, ::dup(process_->stderr_fd())),
        lines_(kMaxEventLine),
        request_(next_request_number++),
        on_event_(std::move(on_event)),
        on_fail_(std::move(on_fail)),
        on_closed_(std::move(on_closed)) {}

  std::string name() const { return fmt::format("{} peer {}", role_, entry_.id); }

  void start(const EndpointConfig& config) {
    // A single request ends at end-of-file; a serving peer's stdin stays open for the next.
    write_stdin(request_json(request_, config).dump() + "\n", /*then_close=*/!pool_);
    read_line();
    read_stderr();
  }

  // Abandons the request: a serving peer is asked to drop it and answers `served` (within
  // kCancelGrace, or it is killed); any other is killed.
  void cancel() {
    if (!pool_ || served_ || cancelling_) return kill();
    cancelling_ = true;
    write_stdin(cancel_json(request_).dump() + "\n", /*then_close=*/false);
    cancel_grace_.expires_after(kCancelGrace);
    cancel_grace_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !served_) kill();
    });
  }

  void kill() { process_->kill(); }
  bool serving() const { return pool_ != nullptr; }
  // For a message about a peer that stopped too early.
  std::string how_it_ended() {
    if (served_) return fmt::format("it answered served to request {}", request_);
    // Give the exit status a moment to appear so the message can say how it died.
    process_->wait_ended(std::chrono::milliseconds(100));
    return process_->exit_description();
  }
  PeerProcess& process() { return *process_; }
  bool output_open() const { return !finished_; }

  // Stops reading the output: whatever still holds the pipes is no longer waited for.
  void close_pipes() {
    boost::system::error_code ignored;
    out_.close(ignored);
    err_.close(ignored);
  }

  // After the cell: a serving process that answered `served` to its request with nothing out
  // of place goes back to the pool when `clean`; any other is killed and reaped. Returns how
  // the process ended or that it served.
  std::string release(bool clean) {
    boost::system::error_code ignored;
    in_.close(ignored);
    cancel_grace_.cancel();
    close_pipes();
    if (pool_ && served_ && clean && !extra_output_) {
      ++process_->served;
      const auto exit =
          fmt::format("served request {} (request {} of its process)", request_, process_->served);
      pool_->give_back(entry_, std::move(process_));
      return exit;
    }
    process_->kill();
    process_->reap();
    return process_->exit_description();
  }

 private:
  void write_stdin(std::string text, bool then_close) {
    auto buffer = std::make_shared<std::string>(std::move(text));
    asio::async_write(in_, asio::buffer(*buffer), [this, buffer, then_close](auto, auto) {
      if (!then_close) return;
      // Both ends the runner holds, or the peer never sees end-of-file.
      boost::system::error_code ignored;
      in_.close(ignored);
      process_->close_stdin();
    });
  }

  void read_line() {
    asio::async_read_until(
        out_, lines_, '\n', [this](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            if (ec == asio::error::not_found)
              on_fail_(fmt::format("{} printed a line longer than {} bytes on stdout", name(),
                                   kMaxEventLine));
            return pipe_closed();
          }
          std::string line(asio::buffers_begin(lines_.data()),
                           asio::buffers_begin(lines_.data()) + static_cast<std::ptrdiff_t>(n));
          lines_.consume(n);
          if (handle_line(line)) read_line();
        });
  }

  // False once the request is over (`served`): nothing more is read for this cell.
  bool handle_line(const std::string& line) {
    if (line.find_first_not_of(" \t\r\n") == std::string::npos) return true;
    json event;
    try {
      event = json::parse(line);
    } catch (const json::exception&) {  // a parse_error, or out_of_range for 1e999
      on_fail_(fmt::format("{} printed garbage on stdout (not a JSON event): '{}'", name(),
                           excerpt(line)));
      return true;
    }
    if (!event.is_object()) {
      on_fail_(
          fmt::format("{} printed a JSON line that is not an object: '{}'", name(), excerpt(line)));
      return true;
    }
    if (const auto mismatch = protocol_mismatch(event); !mismatch.empty()) {
      on_fail_(fmt::format("{} {}", name(), mismatch));
      return true;
    }
    if (!event.contains("event") || !event["event"].is_string()) {
      on_fail_(
          fmt::format("{} printed a JSON line without an \"event\": '{}'", name(), excerpt(line)));
      return true;
    }
    if (pool_) {
      const auto request = event.find("request");
      if (request == event.end() || !request->is_number_unsigned() ||
          request->get<std::uint64_t>() != request_) {
        on_fail_(fmt::format("{} answered request {} with an event for request {}: '{}'", name(),
                             request_, request == event.end() ? "(none)" : shown(*request),
                             excerpt(line)));
        return true;
      }
      if (event["event"] == "served") {
        served_ = true;
        extra_output_ = lines_.size() > 0;
        finish();
        return false;
      }
    }
    // The handlers check the fields they read; anything they missed is still this peer's
    // fault, never an exception out of the io_context.
    try {
      on_event_(event);
    } catch (const json::exception& e) {
      on_fail_(
          fmt::format("{}: event '{}': {}", name(), event["event"].get<std::string>(), e.what()));
    }
    return true;
  }

  void read_stderr() {
    err_.async_read_some(asio::buffer(stderr_chunk_),
                         [this](const boost::system::error_code& ec, std::size_t n) {
                           if (ec) return pipe_closed();
                           keep_stderr(stderr_chunk_.data(), n);
                           read_stderr();
                         });
  }

  void keep_stderr(const char* data, std::size_t n) {
    if (run_.stderr_log.size() < kMaxStderr) run_.stderr_log.append(data, n);
  }

  void pipe_closed() {
    if (++closed_pipes_ == 2) finish();
  }

  // The request is over: `served`, or both pipes closed. A serving peer wrote its log for the
  // request before `served`, so what stderr holds now is all of it.
  void finish() {
    if (finished_) return;
    finished_ = true;
    cancel_grace_.cancel();
    if (served_) {
      std::array<char, 4096> chunk;
      for (ssize_t n; (n = ::read(process_->stderr_fd(), chunk.data(), chunk.size())) > 0;)
        keep_stderr(chunk.data(), static_cast<std::size_t>(n));
      boost::system::error_code ignored;
      err_.cancel(ignored);
    }
    on_closed_();
  }

  const PeerEntry& entry_;
  std::string role_;
  PeerRun& run_;
  PeerPool* pool_;
  std::unique_ptr<PeerProcess> process_;
  asio::posix::stream_descriptor in_, out_, err_;
  asio::steady_timer cancel_grace_{in_.get_executor()};
  asio::streambuf lines_;
  std::array<char, 4096> stderr_chunk_{};
  std::uint64_t request_;
  int closed_pipes_ = 0;
  bool finished_ = false;
  bool served_ = false;
  bool cancelling_ = false;
  bool extra_output_ = false;
  EventHandler on_event_;
  FailHandler on_fail_;
  std::function<void()> on_closed_;
};

// The whole life of one cell on one io_context: start the server, wait for "listening",
// start the client through the relay, collect both results, stop at the deadline.
class Cell {
 public:
  Cell(const CellRequest& request, const std::atomic<bool>& cancelled)
      : request_(request),
        cancelled_(cancelled),
        deadline_(io_),
        cancel_poll_(io_),
        pipe_grace_(io_),
        relay_(io_) {}

  CellRun run() {
    const auto start = std::chrono::steady_clock::now();
    deadline_.expires_after(request_.deadline);
    deadline_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !finished_)
        abort(fmt::format("timed out after {} ms {}", request_.deadline.count(), waiting_for()));
    });
    poll_cancel();
    if (const auto& running = request_.server->running_server) {
      // Nothing to start: the client goes straight through the relay to it.
      boost::system::error_code ec;
      const auto address = asio::ip::make_address(running->host, ec);
      if (ec)
        abort(fmt::format("running server {}: '{}' is not an IP address", request_.server->id,
                          running->host));
      else
        start_client(asio::ip::tcp::endpoint(address, running->port));
    } else {
      start_server();
    }
    io_.run();
    // A serving peer goes back to the pool only from a cell without a harness error: after
    // anything unexpected it is killed (with whatever it started) and the next cell gets a
    // new one (peers/PROTOCOL.md, "Serving many requests").
    const bool clean = result_.harness_error.empty();
    if (clean)
      for (auto* session : sessions())
        if (session && !session->serving()) session->process().wait_ended(std::chrono::seconds(1));
    if (server_) result_.server.exit = server_->release(clean);
    if (server_dismissed_)
      result_.server.exit += "; ended by the runner: its client made no further connection";
    if (client_) result_.client.exit = client_->release(clean);
    result_.relayed = relay_.recorded();
    if (const auto& running = request_.server->running_server) {
      result_.server.exit =
          fmt::format("a running server at {}, not started by the runner", running->address());
      note_unreachable_server(running->address());
    }
    result_.wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return std::move(result_);
  }

 private:
  void start_server() {
    try {
      server_ = std::make_unique<PeerSession>(
          io_, *request_.server, "server", result_.server,
          request_.server_serves ? request_.pool : nullptr,
          [this](const json& e) { on_server_event(e); },
          [this](const std::string& why) { abort(why); },
          [this] { peer_closed(server_.get(), result_.server); });
      result_.server.started = true;
      server_->start(request_.server_config);
    } catch (const std::exception& e) {
      abort(fmt::format("server peer {}: {}", request_.server->id, e.what()));
    }
  }

  // A connection the relay could not make to a running server is no refusal by it: the
  // client only saw its connection closed, and the server never saw a ClientHello.
  void note_unreachable_server(const std::string& address) {
    for (std::size_t i = 0; i < result_.relayed.size(); ++i) {
      const auto& why = result_.relayed[i].connect_error;
      if (why.empty()) continue;
      if (!result_.harness_error.empty()) result_.harness_error += "; ";
      result_.harness_error += fmt::format(
          "connection {}: the running server {} at {} could not "
          "be reached ({})",
          i + 1, request_.server->id, address, why);
      return;
    }
  }

  void start_client(const asio::ip::tcp::endpoint& server) {
    relay_.start(server, request_.client_config.connections, request_.attack);
    auto config = request_.client_config;
    config.connect_host = "127.0.0.1";
    config.connect_port = relay_.port();
    try {
      client_ = std::make_unique<PeerSession>(
          io_, *request_.client, "client", result_.client,
          request_.client_serves ? request_.pool : nullptr,
          [this](const json& ev) { on_result(ev, result_.client, *request_.client, "client"); },
          [this](const std::string& why) { abort(why); },
          [this] { peer_closed(client_.get(), result_.client); });
      result_.client.started = true;
      client_->start(config);
    } catch (const std::exception& ex) {
      abort(fmt::format("client peer {}: {}", request_.client->id, ex.what()));
    }
  }

  void on_server_event(const json& e) {
    const auto kind = e["event"].get<std::string>();
    if (kind == "listening" && !client_) {
      const auto port_field = e.find("port");
      const bool port_ok = port_field != e.end() && port_field->is_number_integer() &&
                           port_field->get<std::int64_t>() >= 1 &&
                           port_field->get<std::int64_t>() <= 65535;
      if (!port_ok)
        return abort(fmt::format(
            "server peer {}: event 'listening': 'port' must be a number 1..65535, got {}",
            request_.server->id, port_field == e.end() ? "nothing" : shown(*port_field)));
      start_client(
          asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(),
                                  static_cast<std::uint16_t>(port_field->get<std::int64_t>())));
    } else {
      on_result(e, result_.server, *request_.server, "server");
      // Before listening, a server may only stop while configuring (peers/PROTOCOL.md,
      // "Stages"); a later stage means it skipped `listening`, and the client never ran.
      const auto& outcomes = result_.server.outcomes;
      if (!client_ && !outcomes.empty() && outcomes.front().stage != Stage::configure)
        abort(fmt::format("server peer {} reported stage {} without listening: {}",
                          request_.server->id, stage_name(outcomes.front().stage),
                          outcomes.front().error));
      dismiss_waiting_server();
    }
  }

  void on_result(const json& e, PeerRun& run, const PeerEntry& peer, const char* role) {
    const auto kind = e["event"].get<std::string>();
    if (kind == "error") {
      const auto message = e.find("message");
      return abort(fmt::format("{} peer {} rejected its request: {}", role, peer.id,
                               message == e.end()     ? "(no message)"
                               : message->is_string() ? message->get<std::string>()
                                                      : shown(*message)));
    }
    if (kind != "result")
      return abort(fmt::format("{} peer {} sent an unexpected '{}' event", role, peer.id, kind));
    // One result per connection, numbered from 1, none after one that did not complete
    // (peers/PROTOCOL.md, "Connections").
    const auto wanted = static_cast<std::int64_t>(run.outcomes.size()) + 1;
    const auto connection = e.find("connection");
    if (connection == e.end() || !connection->is_number_integer() ||
        connection->get<std::int64_t>() != wanted)
      return abort(fmt::format(
          "{} peer {} sent a result for connection {} where connection {} "
          "was due",
          role, peer.id, connection == e.end() ? "(none)" : shown(*connection), wanted));
    if (wanted > connections_of(role))
      return abort(fmt::format("{} peer {} sent a result for connection {} of {}", role, peer.id,
                               wanted, connections_of(role)));
    if (!run.outcomes.empty() && run.outcomes.back().stage != Stage::done)
      return abort(fmt::format("{} peer {} went on to connection {} after connection {} failed",
                               role, peer.id, wanted, wanted - 1));
    try {
      run.outcomes.push_back(outcome_from_json(e.at("outcome")));
    } catch (const std::exception& ex) {
      abort(fmt::format("{} peer {} sent a malformed result: {}", role, peer.id, ex.what()));
    }
  }

  std::int64_t connections_of(std::string_view role) const {
    return role == "client" ? request_.client_config.connections
                            : request_.server_config.connections;
  }

  // A peer that ends before reporting on every connection owes an explanation: its last result
  // must be a connection that did not complete.
  std::string missing_results(const PeerRun& run, std::string_view role) const {
    if (run.outcomes.empty()) return "without a result";
    const auto reported = static_cast<std::int64_t>(run.outcomes.size());
    if (reported < connections_of(role) && run.outcomes.back().stage == Stage::done)
      return fmt::format("after connection {} of {} without a result for the next", reported,
                         connections_of(role));
    return "";
  }

  void peer_closed(PeerSession* session, PeerRun& run) {
    if (!session) return;
    const auto all = sessions();
    if (std::none_of(all.begin(), all.end(), [](PeerSession* s) { return s && s->output_open(); }))
      pipe_grace_.cancel();
    if (session == server_.get() && server_dismissed_) {
      ++closed_peers_;
      return maybe_finish();
    }
    const auto role = session == client_.get() ? "client" : "server";
    if (const auto missing = missing_results(run, role);
        !missing.empty() && result_.harness_error.empty()) {
      abort(fmt::format(
          "{} ended {} ({}){}", session->name(), missing, session->how_it_ended(),
          run.stderr_log.empty() ? "" : "; last stderr line: " + last_line(run.stderr_log)));
      return;
    }
    ++closed_peers_;
    if (session == client_.get()) {
      client_closed_ = true;
      dismiss_waiting_server();
    }
    maybe_finish();
  }

  // A server whose client is gone waits in vain for a connection that will never come: the
  // client stopped while configuring (peers/PROTOCOL.md, "Stages") or after a connection that
  // failed ("Connections"). Once the server has reported on every connection the client
  // tried, it has nothing left to report and is ended, with whatever it started, instead of
  // holding up the cell until its accept times out.
  void dismiss_waiting_server() {
    if (!client_closed_ || server_dismissed_ || !result_.harness_error.empty() || !server_ ||
        !server_->output_open())
      return;
    const auto& client = result_.client.outcomes;
    const auto& server = result_.server.outcomes;
    const bool client_configured = !client.empty() && client.front().stage != Stage::configure;
    const std::size_t tried = client_configured ? client.size() : 0;
    if (server.size() < tried || relay_.accepted() > tried) return;
    if (!server.empty() && server.back().stage != Stage::done) return;  // it ends by itself
    if (static_cast<std::int64_t>(server.size()) >= connections_of("server")) return;
    server_dismissed_ = true;
    // Let the client finish exiting first, so its exit status is its own and not our kill.
    if (!client_->serving()) client_->process().wait_ended(std::chrono::milliseconds(100));
    server_->cancel();
    if (!server_->serving()) hold_pipes_no_longer();
  }

  // Done once every started peer has closed its output: by then all traffic has passed the
  // relay, so it can go too (it may never have seen a connection).
  void maybe_finish() {
    const int expected = (server_ ? 1 : 0) + (client_ ? 1 : 0);
    if (closed_peers_ < expected) return;
    relay_.close();
    stop_timers();
  }

  std::string waiting_for() const {
    if (!client_) return fmt::format("waiting for server peer {} to listen", request_.server->id);
    std::string pending;
    if (server_ && !missing_results(result_.server, "server").empty())
      pending += " " + request_.server->id + " (server)";
    if (!missing_results(result_.client, "client").empty())
      pending += " " + request_.client->id + " (client)";
    return pending.empty() ? "waiting for the peers to exit"
                           : "waiting for a result from" + pending;
  }

  void abort(const std::string& why) {
    if (result_.harness_error.empty()) result_.harness_error = why;
    kill_peers();
    relay_.close();
    stop_timers();
    hold_pipes_no_longer();
  }

  // The peers started so far, as null or not.
  std::array<PeerSession*, 2> sessions() const { return {server_.get(), client_.get()}; }

  // Every means the runner has: the group, and each peer's own process (it may have left the
  // group). The jail takes everything else in the peer's PID namespace with it.
  void kill_peers() {
    for (auto* session : sessions())
      if (session) session->kill();
  }

  // A process out of reach (no jail, or one that escaped it) may hold a killed peer's pipes
  // open for ever: after kPipeGrace the runner stops reading them, so the deadline holds.
  void hold_pipes_no_longer() {
    if (pipe_grace_armed_) return;
    pipe_grace_armed_ = true;
    pipe_grace_.expires_after(kPipeGrace);
    pipe_grace_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      for (auto* session : sessions()) {
        if (!session || !session->output_open()) continue;
        result_.harness_error += fmt::format(
            "{}{} kept its output open after it was killed (a process it started outside the "
            "runner's reach)",
            result_.harness_error.empty() ? "" : "; ", session->name());
        session->close_pipes();
      }
    });
  }

  // A timer that already expired is not stopped by cancel(): its handler is queued with
  // success. finished_ keeps such a late handler from re-arming or aborting a finished cell.
  void stop_timers() {
    finished_ = true;
    deadline_.cancel();
    cancel_poll_.cancel();
  }

  void poll_cancel() {
    cancel_poll_.expires_after(std::chrono::milliseconds(100));
    cancel_poll_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || finished_) return;
      if (cancelled_) return abort("interrupted");
      poll_cancel();
    });
  }

  const CellRequest& request_;
  const std::atomic<bool>& cancelled_;
  asio::io_context io_;
  asio::steady_timer deadline_;
  asio::steady_timer cancel_poll_;
  asio::steady_timer pipe_grace_;
  bool pipe_grace_armed_ = false;
  RecordingRelay relay_;
  std::unique_ptr<PeerSession> server_, client_;
  CellRun result_;
  int closed_peers_ = 0;
  bool server_dismissed_ = false;
  bool client_closed_ = false;
  bool finished_ = false;
};

}  // namespace

ConnectionRun CellRun::connection(std::size_t index) const {
  ConnectionRun out;
  if (index < client.outcomes.size()) out.client = &client.outcomes[index];
  if (index < server.outcomes.size()) out.server = &server.outcomes[index];
  if (index < relayed.size()) {
    out.client_to_server = relayed[index].client_to_server;
    out.server_to_client = relayed[index].server_to_client;
  }
  return out;
}

std::size_t CellRun::connection_count() const {
  return std::max({std::size_t{1}, client.outcomes.size(), server.outcomes.size(), relayed.size()});
}

CellRun execute_cell(const CellRequest& request, const std::atomic<bool>& cancelled) {
  Cell cell(request, cancelled);
  return cell.run();
}

}  // namespace tlsmatrix
