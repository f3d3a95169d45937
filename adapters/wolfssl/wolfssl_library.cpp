#include <mutex>

#include "wolfssl_handles.hpp"

namespace tlsmatrix::wolfssl {

void ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { wolfSSL_Init(); });
}

CtxPtr new_context(bool client) {
  ensure_initialized();
  // The version-flexible methods; min and max are narrowed per endpoint afterwards.
  CtxPtr ctx(wolfSSL_CTX_new(client ? wolfSSLv23_client_method() : wolfSSLv23_server_method()));
#ifdef OPENSSL_EXTRA
  // OpenSSL-compatible defaults retry a timed-out handshake read ten more times; the socket's
  // timeout is the per-step limit the peer protocol promises, so one expiry must end the step.
  if (ctx) wolfSSL_CTX_clear_mode(ctx.get(), SSL_MODE_AUTO_RETRY);
#endif
  return ctx;
}

}  // namespace tlsmatrix::wolfssl
