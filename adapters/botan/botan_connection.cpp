#include "botan_connection.hpp"

#include <botan/auto_rng.h>
#include <botan/exceptn.h>
#include <botan/tls_client.h>
#include <botan/tls_exceptn.h>
#include <botan/tls_server.h>
#include <botan/tls_session_manager_hybrid.h>
#include <botan/tls_session_manager_memory.h>
#include <botan/tls_session_manager_noop.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "botan_names.hpp"

namespace tlsmatrix::botan_adapter {
namespace {

std::shared_ptr<Botan::TLS::Session_Manager> make_session_manager(
    const EndpointConfig& config, const std::shared_ptr<EndpointCredentials>& credentials,
    const std::shared_ptr<Botan::RandomNumberGenerator>& rng) {
  if (!config.session_tickets) return std::make_shared<Botan::TLS::Session_Manager_Noop>();
  auto cache = std::make_unique<Botan::TLS::Session_Manager_In_Memory>(rng);
  if (config.role == Role::client) return cache;
  // A server issues tickets sealed with the credentials' ticket key (stateless), and keeps a
  // cache for TLS 1.2 session IDs beside it.
  return std::make_shared<Botan::TLS::Session_Manager_Hybrid>(std::move(cache), credentials, rng);
}

// The alert Botan's channel sends when received_data() throws `error`: it maps the exception
// type (Channel_Impl_12/13::from_peer) and sends that alert before rethrowing; the API tells the
// application no more than the exception.
std::uint8_t alert_for(const std::exception& error) {
  if (const auto* tls = dynamic_cast<const Botan::TLS::TLS_Exception*>(&error))
    return static_cast<std::uint8_t>(tls->type());
  if (dynamic_cast<const Botan::Invalid_Authentication_Tag*>(&error) != nullptr)
    return static_cast<std::uint8_t>(Botan::TLS::Alert::BadRecordMac);
  if (dynamic_cast<const Botan::Decoding_Error*>(&error) != nullptr)
    return static_cast<std::uint8_t>(Botan::TLS::Alert::DecodeError);
  return static_cast<std::uint8_t>(Botan::TLS::Alert::InternalError);
}

}  // namespace

EndpointContext::EndpointContext(const EndpointConfig& endpoint_config)
    : config(endpoint_config),
      rng(std::make_shared<Botan::AutoSeeded_RNG>()),
      policy(std::make_shared<EndpointPolicy>(config)),
      credentials(std::make_shared<EndpointCredentials>(config)),
      sessions(make_session_manager(config, credentials, rng)) {
  reject_missing_features(config);
}

BotanConnection::BotanConnection(std::shared_ptr<EndpointContext> endpoint, int fd)
    : endpoint_(std::move(endpoint)),
      config_(endpoint_->config),
      fd_(fd),
      callbacks_(std::make_shared<ConnectionCallbacks>(config_, fd)) {
  const EndpointContext& e = *endpoint_;
  try {
    if (config_.role == Role::client) {
      const auto offer = e.policy->allow_tls13()
                             ? Botan::TLS::Protocol_Version::latest_tls_version()
                             : Botan::TLS::Protocol_Version(Botan::TLS::Protocol_Version::TLS_V12);
      // Sends the ClientHello, offering a ticket the session manager holds for this server.
      channel_ = std::make_unique<Botan::TLS::Client>(
          callbacks_, e.sessions, e.credentials, e.policy, e.rng,
          Botan::TLS::Server_Information(config_.server_name, config_.connect_port), offer);
    } else {
      channel_ = std::make_unique<Botan::TLS::Server>(callbacks_, e.sessions, e.credentials,
                                                      e.policy, e.rng);
    }
  } catch (const std::exception& error) {
    error_ = error.what();
  }
}

BotanConnection::Pump BotanConnection::pump() {
  if (callbacks_->events().transport_failed) return Pump::failed;
  pollfd p{fd_, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&p, 1, static_cast<int>(config_.timeout_ms));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) {
    error_ = fmt::format("no data from the peer within {} ms", config_.timeout_ms);
    return Pump::failed;
  }
  std::array<std::uint8_t, 16384> buf{};
  ssize_t n = 0;
  do {
    n = ::recv(fd_, buf.data(), buf.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return Pump::closed;
  if (n < 0) {
    error_ = std::strerror(errno);
    return Pump::failed;
  }
  try {
    channel_->received_data(std::span(buf.data(), static_cast<std::size_t>(n)));
  } catch (const std::exception& error) {
    fail(error);
    return Pump::failed;
  }
  if (callbacks_->events().transport_failed) {
    error_ = "writing to the peer failed";
    return Pump::failed;
  }
  return Pump::progress;
}

void BotanConnection::fail(const std::exception& error) {
  error_ = error.what();
  // After a fatal alert from the peer the channel is closed and sends nothing more.
  const auto& received = callbacks_->events().alert_received;
  if (received && received->fatal) return;
  if (!callbacks_->events().transport_failed) alert_sent_ = make_alert(alert_for(error), true);
}

bool BotanConnection::handshake() {
  if (!channel_) return false;
  while (!channel_->is_active()) {
    if (channel_->is_closed()) {
      if (error_.empty()) error_ = "the channel closed during the handshake";
      return false;
    }
    const Pump step = pump();
    if (step == Pump::closed) {
      error_ = "the peer closed the connection during the handshake";
      return false;
    }
    if (step == Pump::failed) return false;
  }
  return true;
}

bool BotanConnection::write_all(std::span<const std::byte> data) {
  try {
    channel_->send(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  } catch (const std::exception& error) {
    error_ = error.what();
    return false;
  }
  if (callbacks_->events().transport_failed) {
    error_ = "writing to the peer failed";
    return false;
  }
  return true;
}

std::ptrdiff_t BotanConnection::read(std::span<std::byte> buf) {
  std::string& pending = callbacks_->events().app_data;
  while (pending.empty()) {
    if (callbacks_->events().peer_closed) return 0;
    const Pump step = pump();
    if (step == Pump::closed) return 0;
    if (step == Pump::failed) return -1;
  }
  const std::size_t n = std::min(buf.size(), pending.size());
  std::memcpy(buf.data(), pending.data(), n);
  pending.erase(0, n);
  return static_cast<std::ptrdiff_t>(n);
}

void BotanConnection::close() {
  if (!channel_ || !channel_->is_active()) return;
  try {
    channel_->close();
    if (!callbacks_->events().transport_failed)
      alert_sent_ = make_alert(static_cast<std::uint8_t>(Botan::TLS::Alert::CloseNotify), false);
  } catch (const std::exception&) {
    // The verdict no longer depends on it.
  }
}

void BotanConnection::describe(HandshakeOutcome& out) const {
  const ConnectionEvents& ev = callbacks_->events();
  if (config_.role == Role::client) out.tickets_received = ev.tickets_received;
  out.hello_retry_request = ev.hello_retry_request;
  if (ev.established) {
    if (const auto name = registry_version_name(Botan::TLS::Protocol_Version(*ev.version)))
      out.version = *name;
    out.cipher_suite = ev.cipher_suite;
    out.group = ev.group;
    out.resumed = ev.resumed;
    const bool tls13 = Botan::TLS::Protocol_Version(*ev.version).is_tls_13_or_later();
    const auto suite = Botan::TLS::Ciphersuite::by_id(*ev.cipher_suite);
    const bool tls12_psk_suite = !tls13 && suite && suite->psk_ciphersuite();
    out.psk_used = ev.external_psk_identity.has_value() || (tls13 && ev.resumed) || tls12_psk_suite;
    // Botan's TLS 1.3 implements psk_dhe_ke only; a TLS 1.2 PSK suite has no mode.
    if (out.psk_used && tls13) out.psk_mode = ev.group ? "psk_dhe_ke" : "psk_ke";
    if (ev.external_psk_identity) out.psk_identity = ev.external_psk_identity;
    out.peer_certificate = ev.peer_certificate;
  }
  out.alert_sent = alert_sent_;
  out.alert_received = ev.alert_received;
  out.error = error_;
  out.keylog = ev.keylog;
}

}  // namespace tlsmatrix::botan_adapter
