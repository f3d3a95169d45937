// What the C callbacks GnuTLS invokes on a session need to read or record. A session reaches its
// context through gnutls_session_get_ptr(), since GnuTLS 3.7's callbacks take no user pointer.
#pragma once

#include <gnutls/gnutls.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_config.hpp"

namespace tlsmatrix::gnutls_adapter {

struct SessionContext {
  const std::vector<ExternalPsk>* psks = nullptr;  // the keys the server PSK callback knows
  bool server_hello_seen = false;                  // parameters were negotiated (sent or received)
  bool hello_retry_request = false;
  bool certificate_received = false;  // a Certificate message arrived in this handshake
  unsigned tickets_sent = 0;
  unsigned tickets_received = 0;
  std::vector<std::string> keylog;
};

inline SessionContext* session_context(gnutls_session_t session) {
  return static_cast<SessionContext*>(gnutls_session_get_ptr(session));
}

}  // namespace tlsmatrix::gnutls_adapter
