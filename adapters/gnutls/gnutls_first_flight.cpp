#include "gnutls_first_flight.hpp"

#include <cerrno>

#include "gnutls_util.hpp"

namespace tlsmatrix::gnutls_adapter {
namespace {

ssize_t count_push(gnutls_transport_ptr_t sent, const void* /*data*/, size_t size) {
  *static_cast<size_t*>(sent) += size;
  return static_cast<ssize_t>(size);
}

// Nothing ever answers, so the handshake stops right after sending its ClientHello.
ssize_t silent_pull(gnutls_transport_ptr_t, void*, size_t) {
  errno = EAGAIN;
  return -1;
}

int ready_pull_timeout(gnutls_transport_ptr_t, unsigned int) {
  return 1;
}

}  // namespace

bool writes_client_hello(unsigned init_flags,
                         const std::function<void(gnutls_session_t)>& configure) {
  gnutls_session_t raw = nullptr;
  require_library(gnutls_init(&raw, GNUTLS_CLIENT | init_flags), "creating a session");
  SessionPtr session(raw);
  configure(raw);
  size_t sent = 0;
  gnutls_transport_set_ptr(raw, &sent);
  gnutls_transport_set_push_function(raw, count_push);
  gnutls_transport_set_pull_function(raw, silent_pull);
  gnutls_transport_set_pull_timeout_function(raw, ready_pull_timeout);
  gnutls_handshake_set_timeout(raw, 0);
  return gnutls_handshake(raw) == GNUTLS_E_AGAIN && sent > 0;
}

}  // namespace tlsmatrix::gnutls_adapter
