#include "openssl_observer.hpp"

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

void on_keylog(const SSL* ssl, const char* line) {
  if (auto* self = SslObserver::of(ssl)) self->keylog.emplace_back(line);
}

// OpenSSL offers every new client session here: one per TLS 1.3 NewSessionTicket, and one at
// the end of a TLS 1.2 handshake, which holds a ticket only if the server sent one.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self = SslObserver::of(ssl);
  if (self != nullptr && SSL_SESSION_has_ticket(session) == 1) ++self->tickets_received;
  // OpenSSL copies a ticket's session from the one in use, mark included: a ticket is not the
  // external PSK, should it ever be offered.
  unmark_external_psk(session);
  return 0;  // not kept: OpenSSL frees the session
}

}  // namespace

void SslObserver::attach(SSL* ssl) {
  SSL_set_ex_data(ssl, observer_index(), this);
  SSL_set_info_callback(ssl, on_info);
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
