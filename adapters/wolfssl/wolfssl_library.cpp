#include <mutex>
#include <stdexcept>
#include <vector>

#include "wolfssl_handles.hpp"

namespace tlsmatrix::wolfssl {

namespace {

#ifdef PERSIST_SESSION_CACHE
// The session tables (servers' and clients') as wolfSSL_Init left them: empty.
std::vector<char>& pristine_sessions() {
  static std::vector<char> saved;
  return saved;
}
#endif

}  // namespace

void ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    wolfSSL_Init();
#ifdef PERSIST_SESSION_CACHE
    auto& saved = pristine_sessions();
    saved.resize(static_cast<std::size_t>(wolfSSL_get_session_cache_memsize()));
    if (wolfSSL_memsave_session_cache(saved.data(), static_cast<int>(saved.size())) !=
        WOLFSSL_SUCCESS)
      saved.clear();
#endif
  });
}

bool can_forget_sessions() {
#ifdef PERSIST_SESSION_CACHE
  return true;
#else
  return false;
#endif
}

void forget_sessions() {
#ifdef PERSIST_SESSION_CACHE
  ensure_initialized();
  const auto& saved = pristine_sessions();
  if (saved.empty() || wolfSSL_memrestore_session_cache(
                           saved.data(), static_cast<int>(saved.size())) != WOLFSSL_SUCCESS)
    throw std::runtime_error("wolfSSL: restoring the empty session tables failed");
#else
  throw std::runtime_error("wolfSSL: this build cannot clear its session tables");
#endif
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
