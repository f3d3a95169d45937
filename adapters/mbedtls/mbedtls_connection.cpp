#include "mbedtls_connection.hpp"

#include <fmt/format.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/x509_crt.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <string_view>

#include "hex_text.hpp"
#include "mbedtls_names.hpp"
#include "mbedtls_peer_certificate.hpp"
#include "mbedtls_util.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::mbedtls_adapter {
namespace {

constexpr std::uint8_t kAlertRecord = 21;
constexpr std::uint8_t kAlertLevelFatal = 2;
constexpr std::uint8_t kCloseNotify = 0;

std::string_view as_text(const unsigned char* bytes, std::size_t len) {
  return {reinterpret_cast<const char*>(bytes), len};
}

bool retry(int ret) {
  return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE;
}

}  // namespace

MbedtlsConnection::MbedtlsConnection(std::shared_ptr<EndpointContext> endpoint)
    : endpoint_(std::move(endpoint)), config_(endpoint_->config()) {
  mbedtls_ssl_init(&ssl_);
  require_library(mbedtls_ssl_setup(&ssl_, endpoint_->ssl_config()), "creating a context");
  if (config_.role == Role::client) {
    // Null skips the name check (verify_server checks the chain only) and keeps Mbed TLS 3.6.3+
    // from refusing to verify without a name.
    require_ok(mbedtls_ssl_set_hostname(
                   &ssl_, config_.server_name.empty() ? nullptr : config_.server_name.c_str()),
               "server_name", "setting the server name");
  }
  if (config_.keylog) mbedtls_ssl_set_export_keys_cb(&ssl_, export_secret, this);
}

MbedtlsConnection::~MbedtlsConnection() {
  endpoint_->set_current(nullptr);
  mbedtls_ssl_free(&ssl_);
}

void MbedtlsConnection::attach(int fd) {
  fd_ = fd;
  mbedtls_ssl_set_bio(&ssl_, this, send_to_socket, receive_from_socket, nullptr);
  // The configuration's PSK and ticket callbacks report into this connection's facts.
  endpoint_->set_current(&facts_);
  if (config_.role == Role::client) offered_session_ = endpoint_->offer_resumption(ssl_);
}

bool MbedtlsConnection::wait_for(short events) const {
  pollfd p{fd_, events, 0};
  for (;;) {
    const int ready = ::poll(&p, 1, static_cast<int>(config_.timeout_ms));
    if (ready >= 0) return ready > 0;
    if (errno != EINTR) return true;  // let send/recv report the error
  }
}

int MbedtlsConnection::send_to_socket(void* self, const unsigned char* buf, std::size_t len) {
  auto* c = static_cast<MbedtlsConnection*>(self);
  // Mbed TLS hands over one record at a time; a plaintext alert record is the alert we send
  // (alerts inside encrypted records are not visible here).
  if (len == 7 && buf[0] == kAlertRecord && buf[3] == 0 && buf[4] == 2)
    c->alert_sent_ = make_alert(buf[6], buf[5] == kAlertLevelFatal);
  if (!c->wait_for(POLLOUT)) return MBEDTLS_ERR_SSL_TIMEOUT;
  for (;;) {
    const ssize_t n = ::send(c->fd_, buf, len, MSG_NOSIGNAL);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_TIMEOUT;
    return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET
                                                 : MBEDTLS_ERR_NET_SEND_FAILED;
  }
}

int MbedtlsConnection::receive_from_socket(void* self, unsigned char* buf, std::size_t len) {
  auto* c = static_cast<MbedtlsConnection*>(self);
  if (!c->wait_for(POLLIN)) return MBEDTLS_ERR_SSL_TIMEOUT;
  for (;;) {
    const ssize_t n = ::recv(c->fd_, buf, len, 0);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_TIMEOUT;
    return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
  }
}

void MbedtlsConnection::export_secret(void* self, mbedtls_ssl_key_export_type type,
                                      const unsigned char* secret, std::size_t secret_len,
                                      const unsigned char client_random[32],
                                      const unsigned char /*server_random*/[32],
                                      mbedtls_tls_prf_types /*prf*/) {
  const auto label = keylog_label(type);
  if (!label) return;
  try {  // nothing may unwind through Mbed TLS
    static_cast<MbedtlsConnection*>(self)->keylog_.push_back(
        fmt::format("{} {} {}", *label, hex_of(as_text(client_random, 32)),
                    hex_of(as_text(secret, secret_len))));
  } catch (...) {
  }
}

void MbedtlsConnection::take_ticket() {
  ++facts_.tickets_received;
  endpoint_->keep_resumption(ssl_);
}

bool MbedtlsConnection::handshake() {
  for (;;) {
    const int ret = mbedtls_ssl_handshake(&ssl_);
    if (ret == 0) {
      handshake_done_ = true;
      return true;
    }
    if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
      take_ticket();
      continue;
    }
    if (retry(ret)) continue;
    fail(ret);
    return false;
  }
}

bool MbedtlsConnection::write_all(std::span<const std::byte> data) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t done = 0;
  while (done < data.size()) {
    const int n = mbedtls_ssl_write(&ssl_, bytes + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
      take_ticket();
      continue;
    }
    if (retry(n)) continue;
    fail(n);
    return false;
  }
  return true;
}

std::ptrdiff_t MbedtlsConnection::read(std::span<std::byte> buf) {
  for (;;) {
    const int n = mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(buf.data()), buf.size());
    if (n > 0) return n;
    if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
      alert_received_ = make_alert(kCloseNotify, false);
      return 0;
    }
    if (n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
      take_ticket();
      continue;
    }
    if (retry(n)) continue;
    // 0: the transport closed without a close_notify, which is no orderly close.
    fail(n == 0 ? MBEDTLS_ERR_SSL_CONN_EOF : n);
    return -1;
  }
}

void MbedtlsConnection::close() {
  if (!handshake_done_) return;
  // A TLS 1.2 ticket arrives inside the handshake; TLS 1.3 ones were kept as they came.
  if (config_.role == Role::client && config_.session_tickets &&
      mbedtls_ssl_get_version_number(&ssl_) == MBEDTLS_SSL_VERSION_TLS1_2)
    endpoint_->keep_resumption(ssl_);
  int ret = 0;
  do {
    ret = mbedtls_ssl_close_notify(&ssl_);
  } while (retry(ret));
  if (ret == 0) alert_sent_ = make_alert(kCloseNotify, false);
}

void MbedtlsConnection::fail(int ret) {
  // After MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE the record just read, decrypted, is the alert
  // (level, description); Mbed TLS 3.6 has no getter for it, the field is in ssl.h.
  if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE &&
      ssl_.MBEDTLS_PRIVATE(in_msgtype) == MBEDTLS_SSL_MSG_ALERT &&
      ssl_.MBEDTLS_PRIVATE(in_msg) != nullptr)
    alert_received_ = make_alert(ssl_.MBEDTLS_PRIVATE(in_msg)[1],
                                 ssl_.MBEDTLS_PRIVATE(in_msg)[0] == kAlertLevelFatal);
  error_ = error_text(ret);
  if (ret == MBEDTLS_ERR_SSL_TIMEOUT)
    error_ += fmt::format(" (no progress within {} ms)", config_.timeout_ms);
  if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
    std::array<char, 512> why{};
    if (mbedtls_x509_crt_verify_info(why.data(), why.size(), "",
                                     mbedtls_ssl_get_verify_result(&ssl_)) > 0)
      error_ += ": " + std::string(why.data());
    while (!error_.empty() && error_.back() == '\n') error_.pop_back();
  }
}

std::optional<std::string> MbedtlsConnection::external_psk_identity() const {
  if (config_.role == Role::server) return facts_.psk_identity;  // what our callback selected
  // The client offers its one PSK (more are refused in configure()).
  if (config_.psks.empty()) return std::nullopt;
  return config_.psks.front().identity;
}

void MbedtlsConnection::describe_psk(HandshakeOutcome& out) const {
  const bool server = config_.role == Role::server;
  if (mbedtls_ssl_get_version_number(&ssl_) != MBEDTLS_SSL_VERSION_TLS1_3) {
    // A TLS 1.2 server resumes exactly when it decrypted a ticket of its own (no session cache
    // is configured); the client's library logs whether it resumed.
    out.resumed = server ? facts_.ticket_accepted : facts_.tls12_resumed;
    // TLS 1.2 carries an external PSK in the cipher suite itself.
    const auto suite = static_cast<std::uint16_t>(mbedtls_ssl_get_ciphersuite_id_from_ssl(&ssl_));
    if (!*out.resumed && cipher_suite_name(suite).find("_PSK_") != std::string::npos) {
      out.psk_used = true;
      out.psk_identity = external_psk_identity();
    }
    return;
  }
  if (!facts_.key_exchange) return;  // the library logged no mode: nothing to say
  out.psk_used = *facts_.key_exchange != "certificate";
  if (!out.psk_used) {
    out.resumed = false;
    return;
  }
  out.psk_mode = facts_.key_exchange;
  // A ticket's PSK, or an external one: the server knows which of its callbacks matched; a
  // client offers a ticket or an external PSK, never both in one cell.
  if (server)
    out.resumed = facts_.ticket_accepted;
  else if (offered_session_ != !config_.psks.empty())
    out.resumed = offered_session_;
  if (out.resumed == false) out.psk_identity = external_psk_identity();
}

void MbedtlsConnection::describe(HandshakeOutcome& out) const {
  // Mbed TLS signals each TLS 1.3 NewSessionTicket it read (none when tickets are off: it
  // discards them); a TLS 1.2 ticket arrives inside the handshake without a signal.
  if (config_.role == Role::client &&
      (!handshake_done_ || mbedtls_ssl_get_version_number(&ssl_) == MBEDTLS_SSL_VERSION_TLS1_3))
    out.tickets_received = facts_.tickets_received;
  if (handshake_done_) {
    out.version = registry_version_name(mbedtls_ssl_get_version_number(&ssl_));
    const int suite = mbedtls_ssl_get_ciphersuite_id_from_ssl(&ssl_);
    if (suite > 0) out.cipher_suite = static_cast<std::uint16_t>(suite);
    describe_psk(out);
  }
  // group and hello_retry_request stay null: Mbed TLS 3.6 has no API for either.
  // A resumed session keeps the certificate of the handshake that made it; none arrived now.
  if (out.resumed != true) out.peer_certificate = peer_certificate(ssl_);
  out.alert_sent = alert_sent_;
  out.alert_received = alert_received_;
  if (!error_.empty()) out.error = error_;
  out.keylog = keylog_;
}

}  // namespace tlsmatrix::mbedtls_adapter
