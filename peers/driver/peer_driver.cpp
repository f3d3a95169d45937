#include "peer_driver.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "capability_probe.hpp"
#include "key_share_fallback.hpp"
#include "loopback_socket.hpp"
#include "protocol_json.hpp"
#include "serve_loop.hpp"
#include "stack_adapter.hpp"
#include "tls_session.hpp"

namespace tlsmatrix {
namespace {

using nlohmann::json;

// Writes the events that answer one request: each carries the request's number (`request`
// in the request object), or none when the request had none (a single-request peer may get
// none). stdout carries protocol events only, one JSON object per line, flushed at once so the
// runner sees "listening" before the peer blocks in accept().
class RequestEvents {
 public:
  void set_number(json number) { number_ = std::move(number); }
  void emit(json event) const {
    if (!number_.is_null()) event["request"] = number_;
    emit_event(event);
  }

 private:
  json number_ = nullptr;
};

// Closing a socket with unread data makes the kernel send a reset, which can overtake the
// alert this side just sent; the other side would then report a reset instead of the alert.
// So: stop writing, read until the other side closes (briefly), then close.
void linger_close(Socket& sock, std::uint32_t timeout_ms) {
  ::shutdown(sock.fd(), SHUT_WR);
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(std::min<std::uint32_t>(timeout_ms, 500));
  char sink[4096];
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{sock.fd(), POLLIN, 0};
    if (::poll(&p, 1, 50) < 0) break;
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    if (::recv(sock.fd(), sink, sizeof sink, MSG_DONTWAIT) <= 0) break;
  }
}

void emit_result(const RequestEvents& events, const HandshakeOutcome& outcome, int connection) {
  events.emit({{"event", "result"},
               {"protocol", kPeerProtocolVersion},
               {"connection", connection},
               {"outcome", to_json(outcome)}});
}

// Configures once, then serves config.connections connections in sequence with the one
// configured endpoint (so a server's ticket keys, and a client's received session, carry over),
// emitting one result per connection and stopping after the first that did not complete
// (peers/PROTOCOL.md, "Connections"). A server's wait for its client ends early when
// `interruption` says the runner cancelled the request: nothing more is reported then.
void run_endpoint(StackAdapter& adapter, const EndpointConfig& config, const RequestEvents& events,
                  WaitInterruption* interruption) {
  // Configuring comes first (peers/PROTOCOL.md, "Stages"): a configuration the library rejects
  // is reported before a server announces `listening` or a client connects, so nobody waits
  // for an endpoint that was never going to handshake.
  HandshakeOutcome failure;
  const auto endpoint = configure_endpoint(adapter, config, failure);
  if (!endpoint) return emit_result(events, failure, 1);

  std::optional<Socket> listener;
  for (int connection = 1; connection <= config.connections; ++connection) {
    HandshakeOutcome out;
    out.role = role_name(config.role);
    out.stage = Stage::connect;
    Socket sock;
    try {
      if (config.role == Role::server) {
        if (!listener) {
          std::uint16_t port = 0;
          listener.emplace(listen_loopback(port));
          events.emit({{"event", "listening"},
                       {"protocol", kPeerProtocolVersion},
                       {"host", "127.0.0.1"},
                       {"port", port}});
        }
        sock = accept_within(*listener, config.timeout_ms, interruption);
      } else {
        sock = connect_loopback(config.connect_host, config.connect_port, config.timeout_ms);
      }
      set_io_timeout(sock, config.timeout_ms);
      out = run_tls_session(*endpoint, config, sock.fd());
      linger_close(sock, config.timeout_ms);
    } catch (const RequestCancelled&) {
      return;
    } catch (const ConnectTimeout& e) {
      out.error = e.what();
      out.timed_out = true;
    } catch (const std::exception& e) {
      out.error = e.what();
    }
    emit_result(events, out, connection);
    if (out.stage != Stage::done) return;
  }
}

}  // namespace

void emit_event(const json& event) {
  std::cout << event.dump() << '\n' << std::flush;
}

void log_line(const std::string& line) {
  std::cerr << line << '\n';
}

int handle_request(StackAdapter& adapter, const std::string& text, bool number_required,
                   WaitInterruption* interruption) {
  RequestEvents events;
  EndpointConfig config;
  try {
    const json request = json::parse(text);
    // Read first, so that even the error event about the rest of the request carries it.
    if (const auto it = request.is_object() ? request.find("request") : request.end();
        it != request.end()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 1)
        throw std::invalid_argument(
            fmt::format("request: expected a number from 1, got {}", it->dump()));
      events.set_number(*it);
    } else if (number_required) {
      throw std::invalid_argument("request: missing; a serving peer needs each request's number");
    }
    if (request.value("protocol", 0) != kPeerProtocolVersion)
      throw std::invalid_argument(fmt::format("protocol version {} requested, this peer speaks {}",
                                              request.value("protocol", json(nullptr)).dump(),
                                              kPeerProtocolVersion));
    config = endpoint_config_from_json(request.at("config"));
  } catch (const std::exception& e) {
    events.emit({{"event", "error"}, {"protocol", kPeerProtocolVersion}, {"message", e.what()}});
    log_line(fmt::format("bad request: {}", e.what()));
    return 2;
  }
  // A last line of defence: however a library misbehaves, this process ends by itself.
  ::alarm(static_cast<unsigned>(config.connections) * (config.timeout_ms / 1000 * 3) + 10);
  run_endpoint(adapter, settle_key_shares(adapter, config), events, interruption);
  ::alarm(0);  // a serving peer's next request arms its own
  return 0;
}

int run_peer(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // a peer that hangs up must surface as an error, not kill us
  auto adapter = make_stack_adapter();

  CLI::App app{
      "tlsmatrix peer: reads one JSON request on stdin and reports on stdout (peers/PROTOCOL.md)"};
  bool print_caps = false;
  app.add_flag("--capabilities", print_caps,
               "print what the linked library supports as JSON and exit");
  bool serve = false;
  app.add_flag("--serve", serve,
               "serve one JSON request per line on stdin until end-of-file, each from the same "
               "warmed-up state (peers/PROTOCOL.md, \"Serving many requests\")");
  CLI11_PARSE(app, argc, argv);

  if (print_caps) {
    // Probing runs many in-memory handshakes, so only here.
    auto caps = probe_capabilities(*adapter);
    caps.serve = true;  // this driver implements --serve (serve_loop.hpp)
    json out = to_json(caps);
    out["event"] = "capabilities";
    out["protocol"] = kPeerProtocolVersion;
    emit_event(out);
    return 0;
  }

  if (serve) return serve_requests(*adapter);

  const std::string input{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
  return handle_request(*adapter, input, false);
}

}  // namespace tlsmatrix
