#include "nss_connection.hpp"

#include <fmt/format.h>
#include <sslexp.h>
#include <sslproto.h>

#include <iostream>

#include "hex_text.hpp"
#include "nss_library.hpp"
#include "nss_names.hpp"
#include "nss_transport.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::nss_adapter {
namespace {

// AlertLevel fatal (RFC 8446 §6); NSS's name for it is in a private header.
constexpr SSLAlertLevel kFatalAlertLevel = 2;

PRIntervalTime timeout_of(const EndpointConfig& config) {
  return PR_MillisecondsToInterval(config.timeout_ms);
}

// SSLKEYLOGFILE labels of the TLS 1.3 traffic secrets NSS hands out, by epoch (sslexp.h:
// 1 early data, 2 handshake, 3 the first application secrets; later epochs are key updates).
const char* keylog_label(PRUint16 epoch, bool client_secret) {
  switch (epoch) {
    case 1:
      return client_secret ? "CLIENT_EARLY_TRAFFIC_SECRET" : nullptr;
    case 2:
      return client_secret ? "CLIENT_HANDSHAKE_TRAFFIC_SECRET" : "SERVER_HANDSHAKE_TRAFFIC_SECRET";
    case 3:
      return client_secret ? "CLIENT_TRAFFIC_SECRET_0" : "SERVER_TRAFFIC_SECRET_0";
    default:
      return nullptr;
  }
}

// The connection a callback belongs to; NSS hands back the pointer it was given.
NssConnection* connection_of(void* arg) {
  return static_cast<NssConnection*>(arg);
}

// An SSL socket on a socket that is never connected, for configure() to apply settings to.
PRFileDesc* unconnected_ssl_socket() {
  PRFileDesc* tcp = PR_NewTCPSocket();
  require_library(tcp != nullptr, "creating a socket");
  PRFileDesc* ssl = SSL_ImportFD(nullptr, tcp);
  if (ssl == nullptr) PR_Close(tcp);
  require_library(ssl != nullptr, "importing a socket into SSL");
  return ssl;
}

}  // namespace

EndpointContext::EndpointContext(const EndpointConfig& endpoint_config)
    : config(endpoint_config),
      credentials(make_credentials(config)),
      psk(import_external_psk(config)) {
  PRFileDesc* probe = unconnected_ssl_socket();
  try {
    apply_settings(probe, config, credentials, psk.get());
  } catch (...) {
    PR_Close(probe);
    throw;
  }
  PR_Close(probe);
}

NssConnection::NssConnection(std::shared_ptr<EndpointContext> endpoint, int fd)
    : endpoint_(std::move(endpoint)), config_(endpoint_->config) {
  PRFileDesc* tcp = import_connected_socket(fd, prefixes_);
  fd_ = SSL_ImportFD(nullptr, tcp);
  if (fd_ == nullptr) PR_Close(tcp);
  require_library(fd_ != nullptr, "importing the socket into SSL");
  try {
    apply_settings(fd_, config_, endpoint_->credentials, endpoint_->psk.get());
    install_callbacks();
  } catch (...) {
    // No destructor runs for a constructor that throws.
    PR_Close(fd_);
    throw;
  }
  // Offered once: the next connection offers what this one receives, or nothing. A token NSS
  // finds unusable (sslexp.h: the caller should then drop it) means a full handshake.
  auto& token = endpoint_->resumption_token;
  if (config_.role == Role::client && config_.session_tickets && !token.empty()) {
    if (SSL_SetResumptionToken(fd_, token.data(), static_cast<unsigned>(token.size())) !=
        SECSuccess)
      std::cerr << "nss: the previous connection's session is not offered: " << last_error_text()
                << '\n';
    token.clear();
  }
}

NssConnection::~NssConnection() {
  if (fd_ != nullptr) PR_Close(fd_);
}

void NssConnection::install_callbacks() {
  require_library(SSL_AuthCertificateHook(fd_, on_auth_certificate, this) == SECSuccess,
                  "installing the certificate check");
  if (config_.role == Role::client && config_.certificate)
    require_library(SSL_GetClientAuthDataHook(fd_, on_client_auth_data, this) == SECSuccess,
                    "installing the client certificate");
  require_library(SSL_AlertReceivedCallback(fd_, on_alert_received, this) == SECSuccess,
                  "installing the alert callback");
  require_library(SSL_AlertSentCallback(fd_, on_alert_sent, this) == SECSuccess,
                  "installing the alert callback");
  // Debian builds NSS without SSLKEYLOGFILE support; the secrets come from this callback.
  if (config_.keylog)
    require_library(SSL_SecretCallback(fd_, on_secret, this) == SECSuccess,
                    "installing the secret callback");
  // Every session NSS would cache on a client comes here, never to NSS's own client cache.
  if (config_.role == Role::client)
    require_library(SSL_SetResumptionTokenCallback(fd_, on_resumption_token, this) == SECSuccess,
                    "installing the resumption token callback");
}

SECStatus NssConnection::on_auth_certificate(void* arg, PRFileDesc* fd, PRBool /*check_sig*/,
                                             PRBool is_server) {
  NssConnection* self = connection_of(arg);
  CERTCertificate* peer = SSL_PeerCertificate(fd);
  if (peer == nullptr) return SECFailure;
  self->peer_certificate_ = describe_certificate(peer);
  // A client verifies only when asked to; a server asks for a certificate only to verify it.
  const bool verify = is_server != PR_FALSE || self->config_.verify_server;
  const bool ok = !verify || verify_peer(self->endpoint_->credentials, peer,
                                         is_server != PR_FALSE ? certificateUsageSSLClient
                                                               : certificateUsageSSLServer);
  const PRErrorCode error = PORT_GetError();
  CERT_DestroyCertificate(peer);
  if (ok) return SECSuccess;
  PORT_SetError(error);
  return SECFailure;
}

SECStatus NssConnection::on_client_auth_data(void* arg, PRFileDesc* /*fd*/,
                                             CERTDistNames* /*ca_names*/, CERTCertificate** cert,
                                             SECKEYPrivateKey** key) {
  const Credentials& credentials = connection_of(arg)->endpoint_->credentials;
  // Presented whenever a certificate is requested, whichever issuers the server listed.
  *cert = CERT_DupCertificate(credentials.chain.front().get());
  *key = SECKEY_CopyPrivateKey(credentials.key.get());
  return *key != nullptr ? SECSuccess : SECFailure;
}

void NssConnection::on_alert_received(const PRFileDesc* /*fd*/, void* arg, const SSLAlert* alert) {
  NssConnection* self = connection_of(arg);
  if (!self->alert_received_)
    self->alert_received_ = make_alert(alert->description, alert->level == kFatalAlertLevel);
}

void NssConnection::on_alert_sent(const PRFileDesc* /*fd*/, void* arg, const SSLAlert* alert) {
  NssConnection* self = connection_of(arg);
  if (!self->alert_sent_)
    self->alert_sent_ = make_alert(alert->description, alert->level == kFatalAlertLevel);
}

void NssConnection::on_secret(PRFileDesc* /*fd*/, PRUint16 epoch, SSLSecretDirection direction,
                              PK11SymKey* secret, void* arg) {
  NssConnection* self = connection_of(arg);
  const bool client = self->config_.role == Role::client;
  // Our write secrets are the client's on a client, the server's on a server.
  const char* label = keylog_label(epoch, (direction == ssl_secret_write) == client);
  const std::string random = self->prefixes_.client_random(client);
  if (label == nullptr || random.empty() || PK11_ExtractKeyValue(secret) != SECSuccess) return;
  const SECItem* value = PK11_GetKeyData(secret);
  if (value == nullptr) return;
  try {  // nothing may unwind through NSS
    self->keylog_.push_back(fmt::format(
        "{} {} {}", label, hex_of(random),
        hex_of(std::string_view(reinterpret_cast<const char*>(value->data), value->len))));
  } catch (...) {
  }
}

SECStatus NssConnection::on_resumption_token(PRFileDesc* /*fd*/, const PRUint8* token,
                                             unsigned int len, void* arg) {
  NssConnection* self = connection_of(arg);
  ++self->tokens_received_;
  // The newest one is offered by the next connection, with tickets on.
  if (self->config_.session_tickets) self->endpoint_->resumption_token.assign(token, token + len);
  return SECSuccess;
}

bool NssConnection::handshake() {
  const SECStatus rv = SSL_ForceHandshakeWithTimeout(fd_, timeout_of(config_));
  handshake_done_ = rv == SECSuccess;
  if (!handshake_done_) fail(PR_GetError());
  capture_channel();
  return handshake_done_;
}

bool NssConnection::write_all(std::span<const std::byte> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const PRInt32 n = PR_Send(fd_, data.data() + done, static_cast<PRInt32>(data.size() - done), 0,
                              timeout_of(config_));
    if (n <= 0) {
      fail(PR_GetError());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::ptrdiff_t NssConnection::read(std::span<std::byte> buf) {
  const PRInt32 n =
      PR_Recv(fd_, buf.data(), static_cast<PRInt32>(buf.size()), 0, timeout_of(config_));
  if (n < 0) fail(PR_GetError());
  // A TLS 1.3 client reads its tickets here, so what it reports is refreshed.
  capture_channel();
  return n;
}

void NssConnection::close() {
  if (fd_ == nullptr) return;
  capture_channel();
  // PR_Close sends close_notify after a completed handshake (reported by the alert callback)
  // and closes only our duplicate of the descriptor.
  PR_Close(fd_);
  fd_ = nullptr;
}

void NssConnection::fail(PRErrorCode error) {
  if (!error_.empty()) return;
  error_ = error_text(error);
  if (error == PR_IO_TIMEOUT_ERROR)
    error_ += fmt::format(" (no progress within {} ms)", config_.timeout_ms);
}

void NssConnection::capture_channel() {
  SSLChannelInfo info{};
  if (fd_ == nullptr || SSL_GetChannelInfo(fd_, &info, sizeof info) != SECSuccess) return;
  // Before the handshake completes NSS reports a zero length.
  if (info.length == 0 || info.protocolVersion == 0) return;
  channel_ = info;
}

void NssConnection::describe(HandshakeOutcome& out) const {
  if (channel_) {
    const SSLChannelInfo& info = *channel_;
    const bool tls13 = info.protocolVersion >= SSL_LIBRARY_VERSION_TLS_1_3;
    if (const auto version = version_by_code(info.protocolVersion)) out.version = version->name;
    out.cipher_suite = info.cipherSuite;
    out.resumed = info.resumed != PR_FALSE;
    if (tls13 && info.pskType != ssl_psk_none) {
      out.psk_used = true;
      // A PSK handshake with a key exchange group is psk_dhe_ke (RFC 8446 §4.2.9).
      out.psk_mode = registry_group_code(info.keaGroup) ? "psk_dhe_ke" : "psk_ke";
      // One external PSK per socket (more are refused), so an external PSK in use is that one.
      if (info.pskType == ssl_psk_external) out.psk_identity = config_.psks.front().identity;
    }
    // A resumed TLS 1.2 session makes no key exchange.
    if (tls13 || info.resumed == PR_FALSE) out.group = registry_group_code(info.keaGroup);
    // In TLS 1.3 NSS hands out one token per NewSessionTicket; in TLS 1.2 one per completed
    // handshake, ticket or not.
    if (config_.role == Role::client && tls13) out.tickets_received = tokens_received_;
  }
  out.peer_certificate = peer_certificate_;
  out.alert_sent = alert_sent_;
  out.alert_received = alert_received_;
  if (!error_.empty()) out.error = error_;
  out.keylog = keylog_;
}

}  // namespace tlsmatrix::nss_adapter
