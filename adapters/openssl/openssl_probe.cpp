#include "openssl_probe.hpp"

#include <openssl/err.h>

#include "openssl_handles.hpp"
#include "openssl_observer.hpp"

namespace tlsmatrix::openssl {

std::optional<std::vector<std::uint16_t>> first_flight_key_shares(SSL_CTX* ctx) {
  SslObserver observer;
  SslPtr ssl(SSL_new(ctx));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (!ssl || in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return std::nullopt;
  }
  SSL_set_bio(ssl.get(), in, out);
  observer.attach(ssl.get());
  SSL_set_connect_state(ssl.get());
  // With nothing to read, the handshake stops right after writing the ClientHello.
  const int ret = SSL_do_handshake(ssl.get());
  const bool waiting = SSL_get_error(ssl.get(), ret) == SSL_ERROR_WANT_READ;
  if (!waiting || observer.hello.client_hellos != 1) return std::nullopt;
  ERR_clear_error();
  return observer.hello.first_key_shares;
}

}  // namespace tlsmatrix::openssl
