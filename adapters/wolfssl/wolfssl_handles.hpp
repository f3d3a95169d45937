// Owning handles for wolfSSL objects, and the one-time library initialisation every entry point
// goes through.
#pragma once

// options.h carries the build's configuration macros; every other wolfSSL header depends on it.
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <memory>

namespace tlsmatrix::wolfssl {

struct CtxDeleter {
  void operator()(WOLFSSL_CTX* ctx) const { wolfSSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(WOLFSSL* ssl) const { wolfSSL_free(ssl); }
};
struct X509Deleter {
  void operator()(WOLFSSL_X509* x509) const { wolfSSL_X509_free(x509); }
};

using CtxPtr = std::unique_ptr<WOLFSSL_CTX, CtxDeleter>;
using SslPtr = std::unique_ptr<WOLFSSL, SslDeleter>;
using X509Ptr = std::unique_ptr<WOLFSSL_X509, X509Deleter>;

// wolfSSL_Init, once per process; safe to call from every entry point.
void ensure_initialized();

// wolfSSL keeps every session in static tables per process, whatever the WOLFSSL_CTX, and
// wolfSSL_flush_sessions() does not empty them ("static table now, no flushing needed" in
// 5.5's ssl.c). A build with PERSIST_SESSION_CACHE (Debian's) can put back the tables saved
// right after wolfSSL_Init: forget_sessions() does, and throws std::runtime_error when it
// fails or the build cannot (can_forget_sessions() false).
bool can_forget_sessions();
void forget_sessions();

// A fresh context for `client` or `server` that can negotiate every version this build has.
CtxPtr new_context(bool client);

}  // namespace tlsmatrix::wolfssl
