// One endpoint's whole TLS session, in two steps: configure the library, then attach it to an
// already connected descriptor for the handshake, application data both ways, close and
// description. The peer executable configures before it listens or connects and runs the
// session on a loopback socket; the capability probe runs it on one end of a socketpair.
#pragma once

#include <memory>

#include "endpoint_config.hpp"
#include "outcome.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {

// The configured library, or null when configuring failed; then `failure` is the result to
// report (stage `configure`, with `refused` set when the library refused a setting). Never
// throws.
std::unique_ptr<ConfiguredEndpoint> configure_endpoint(StackAdapter& adapter,
                                                       const EndpointConfig& config,
                                                       HandshakeOutcome& failure);

// `fd` must already carry config.timeout_ms as its send and receive timeout. Never throws.
HandshakeOutcome run_tls_session(ConfiguredEndpoint& endpoint, const EndpointConfig& config,
                                 int fd);

}  // namespace tlsmatrix
