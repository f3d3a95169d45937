#include "openssl_observer.hpp"

#include <cstddef>

#include "openssl_psk.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::openssl {
namespace {

int observer_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void on_info(const SSL* ssl, int where, int ret) {
  auto* self = SslObserver::of(ssl);
  if (self == nullptr || (where & SSL_CB_ALERT) == 0) return;
  Alert alert;
  alert.code = static_cast<std::uint8_t>(ret & 0xff);
  alert.name = alert_name(alert.code);
  alert.fatal = ((ret >> 8) & 0xff) == SSL3_AL_FATAL;
  ((where & SSL_CB_READ) != 0 ? self->alert_received : self->alert_sent) = alert;
}

// OpenSSL passes each handshake message it reads, decrypted and with its header, to the message
// callback (content type SSL3_RT_HANDSHAKE); the first byte is the message type.
void on_message(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
                SSL* ssl, void* /*arg*/) {
  if (write_p != 0 || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
  const auto type = *static_cast<const unsigned char*>(buf);
  bool certificate = type == SSL3_MT_CERTIFICATE;
#ifdef SSL3_MT_COMPRESSED_CERTIFICATE  // OpenSSL 3.2 on (RFC 8879)
  certificate = certificate || type == SSL3_MT_COMPRESSED_CERTIFICATE;
#endif
  if (!certificate) return;
  if (auto* self = SslObserver::of(ssl)) self->certificate_received = true;
}

void on_keylog(const SSL* ssl, const char* line) {
  if (auto* self = SslObserver::of(ssl)) self->keylog.emplace_back(line);
}

// OpenSSL offers every new client session here: one per TLS 1.3 NewSessionTicket, and one at
// the end of a TLS 1.2 handshake, which holds a ticket only if the server sent one.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self = SslObserver::of(ssl);
  if (self == nullptr || SSL_SESSION_has_ticket(session) != 1) return 0;
  ++self->tickets_received;
  // OpenSSL copies a ticket's session from the one in use, mark included: a ticket is not the
  // external PSK, should it ever be offered.
  unmark_external_psk(session);
  if (self->newest_ticket == nullptr || SSL_SESSION_is_resumable(session) != 1) return 0;
  self->newest_ticket->reset(session);
  return 1;  // kept: the reference OpenSSL handed over is ours now
}

}  // namespace

void SslObserver::attach(SSL* ssl) {
  SSL_set_ex_data(ssl, observer_index(), this);
  SSL_set_info_callback(ssl, on_info);
  SSL_set_msg_callback(ssl, on_message);
}

SslObserver* SslObserver::of(const SSL* ssl) {
  return static_cast<SslObserver*>(SSL_get_ex_data(ssl, observer_index()));
}

void install_keylog(SSL_CTX* ctx) {
  SSL_CTX_set_keylog_callback(ctx, on_keylog);
}

void install_ticket_counter(SSL_CTX* ctx) {
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);
}

}  // namespace tlsmatrix::openssl
