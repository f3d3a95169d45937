// One endpoint's whole TLS session over an already connected descriptor: configure, handshake,
// application data both ways, close, describe. The peer executable runs it on a loopback
// socket; the capability probe runs it on one end of a socketpair.
#pragma once

#include "endpoint_config.hpp"
#include "outcome.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {

// `fd` must already carry config.timeout_ms as its send and receive timeout. Never throws.
HandshakeOutcome run_tls_session(StackAdapter& adapter, const EndpointConfig& config, int fd);

}  // namespace tlsmatrix
