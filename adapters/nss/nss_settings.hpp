// The EndpointConfig applied to one NSS socket: the same function validates a configuration in
// configure() on a socket that is never connected, and sets up each real connection's socket.
#pragma once

#include <pk11pub.h>
#include <prio.h>

#include <memory>

#include "endpoint_config.hpp"
#include "nss_credentials.hpp"

namespace tlsmatrix::nss_adapter {

struct SymKeyDeleter {
  void operator()(PK11SymKey* k) const { PK11_FreeSymKey(k); }
};
using SymKeyPtr = std::unique_ptr<PK11SymKey, SymKeyDeleter>;

// The one external PSK an NSS socket can hold (SSL_AddExternalPsk takes a single PSK), as a
// session key of the internal slot; null when `config` has none. Throws ConfigRejected.
SymKeyPtr import_external_psk(const EndpointConfig& config);

// Applies every setting of `config` to the SSL socket `fd`; callbacks are the connection's.
// Throws ConfigRejected when NSS cannot do exactly what `config` asks.
void apply_settings(PRFileDesc* fd, const EndpointConfig& config, const Credentials& credentials,
                    PK11SymKey* psk);

}  // namespace tlsmatrix::nss_adapter
