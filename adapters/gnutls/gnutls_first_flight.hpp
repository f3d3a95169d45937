// Starts a client handshake into memory, to learn whether the library can produce a first
// ClientHello at all with a configuration (a group GnuTLS lists may still lack a working key
// exchange, depending on how it was built). Nothing of the message is read.
#pragma once

#include <gnutls/gnutls.h>

#include <functional>

namespace tlsmatrix::gnutls_adapter {

// True when a client session built with `init_flags` and `configure` sent its ClientHello and
// is waiting for the answer.
bool writes_client_hello(unsigned init_flags,
                         const std::function<void(gnutls_session_t)>& configure);

}  // namespace tlsmatrix::gnutls_adapter
