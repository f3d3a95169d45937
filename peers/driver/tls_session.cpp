#include "tls_session.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <chrono>
#include <memory>
#include <string>

namespace tlsmatrix {
namespace {

using Clock = std::chrono::steady_clock;

// The rule for `timed_out`: a blocking step (the handshake, or the application data exchange)
// that failed counts as a stall when
//   1. it lasted at least config.timeout_ms, the socket's receive and send timeout, so the
//      library can have been waiting that long for one read or write, and
//   2. right after it failed the connection is idle: the other side has neither closed it nor
//      sent anything still unread (poll reports none of POLLIN, POLLRDHUP, POLLHUP, POLLERR).
// A library that gave up because the other side closed, sent an alert or sent garbage fails
// condition 2; a quick failure fails condition 1.
bool stalled(int fd, Clock::time_point step_start, std::uint32_t timeout_ms) {
  if (Clock::now() - step_start < std::chrono::milliseconds(timeout_ms)) return false;
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) < 0) return false;
  return (p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) == 0;
}

// Sends our data and waits for the peer's; the client speaks first. Success proves that both
// directions' traffic keys agree.
void exchange_app_data(TlsConnection& conn, const EndpointConfig& config, HandshakeOutcome& out) {
  const auto send = [&] {
    if (!conn.write_all(std::as_bytes(std::span(config.send_data.data(), config.send_data.size()))))
      return false;
    out.app_data_sent = config.send_data.size();
    return true;
  };
  const auto receive = [&] {
    std::string got;
    std::byte buf[4096];
    while (got.size() < config.expect_data.size()) {
      const auto n = conn.read(buf);
      if (n <= 0) break;
      got.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
    }
    out.app_data_received = got.size();
    return got == config.expect_data;
  };
  bool ok = config.role == Role::client ? send() && receive() : receive() && send();
  out.app_data_verified = ok;
  if (!ok && out.error.empty())
    out.error = fmt::format(
        "application data check failed: sent {} of {} bytes, received {} of {} expected",
        out.app_data_sent, config.send_data.size(), out.app_data_received,
        config.expect_data.size());
}

}  // namespace

std::unique_ptr<ConfiguredEndpoint> configure_endpoint(StackAdapter& adapter,
                                                       const EndpointConfig& config,
                                                       HandshakeOutcome& failure) {
  failure = HandshakeOutcome{};
  failure.role = role_name(config.role);
  failure.stage = Stage::configure;
  try {
    return adapter.configure(config);
  } catch (const ConfigRejected& e) {
    failure.refused = ConfigRefusal{e.setting(), e.reason()};
    failure.error = fmt::format("configuration refused: {}", e.what());
  } catch (const std::exception& e) {
    // Not a refusal: the library (or the adapter) failed; still reported, so the runner can
    // say which peer.
    failure.error = fmt::format("adapter failed while configuring: {}", e.what());
  }
  return nullptr;
}

HandshakeOutcome run_tls_session(ConfiguredEndpoint& endpoint, const EndpointConfig& config,
                                 int fd) {
  HandshakeOutcome out;
  out.role = role_name(config.role);
  // Binding to the socket belongs to setting up the connection; it refuses no setting.
  out.stage = Stage::connect;
  std::unique_ptr<TlsConnection> conn;
  try {
    conn = endpoint.attach(fd);
  } catch (const std::exception& e) {
    out.error = fmt::format("adapter failed to attach to the connection: {}", e.what());
    return out;
  }

  out.stage = Stage::handshake;
  const auto start = Clock::now();
  out.handshake_ok = conn->handshake();
  out.handshake_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (out.handshake_ok) {
    out.stage = Stage::application_data;
    conn->describe(out);  // before app data, so a later failure cannot hide the parameters
    const auto data_start = Clock::now();
    exchange_app_data(*conn, config, out);
    if (out.app_data_verified)
      out.stage = Stage::done;
    else
      out.timed_out = stalled(fd, data_start, config.timeout_ms);
    conn->close();
  } else {
    out.timed_out = stalled(fd, start, config.timeout_ms);
  }
  conn->describe(out);
  return out;
}

}  // namespace tlsmatrix
