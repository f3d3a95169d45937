#include "openssl_observer.hpp"

#include <span>

#include "openssl_hello.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::openssl {
namespace {

int observer_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Messages in both directions count: a server learns of its own HRR by sending it.
void on_message(int /*write_p*/, int /*version*/, int content_type, const void* buf,
                std::size_t len, SSL* ssl, void* /*arg*/) {
  auto* self = SslObserver::of(ssl);
  if (self == nullptr || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
  const std::span message(static_cast<const std::uint8_t*>(buf), len);
  HelloLog& log = self->hello;
  switch (message[0]) {
    case SSL3_MT_CLIENT_HELLO:
      if (++log.client_hellos == 1) {
        if (const auto ch = parse_client_hello(message))
          log.first_key_shares = ch->key_share_groups;
      } else {
        log.hello_retry_request = true;  // only an HRR makes a client say hello twice
      }
      break;
    case SSL3_MT_SERVER_HELLO:
      if (const auto sh = parse_server_hello(message)) {
        if (sh->hello_retry_request) {
          log.hello_retry_request = true;
        } else {
          log.server_key_share = sh->key_share_group;
        }
      }
      break;
    case SSL3_MT_NEWSESSION_TICKET:
      ++log.new_session_tickets;
      break;
    default:
      break;
  }
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

}  // namespace

void SslObserver::attach(SSL* ssl) {
  SSL_set_ex_data(ssl, observer_index(), this);
  SSL_set_msg_callback(ssl, on_message);
  SSL_set_info_callback(ssl, on_info);
}

SslObserver* SslObserver::of(const SSL* ssl) {
  return static_cast<SslObserver*>(SSL_get_ex_data(ssl, observer_index()));
}

void install_keylog(SSL_CTX* ctx) {
  SSL_CTX_set_keylog_callback(ctx, on_keylog);
}

}  // namespace tlsmatrix::openssl
