// A client and a server of one adapter talking to each other inside this process: each on its
// own thread and socketpair, with a pump in the middle that forwards and records both byte
// streams. What went over the wire is then read with the wire library, so the capability probe
// judges a stack by its bytes rather than by what the adapter says about itself.
#pragma once

#include "endpoint_config.hpp"
#include "outcome.hpp"
#include "stack_adapter.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix {

struct MemoryHandshake {
  HandshakeOutcome client;
  HandshakeOutcome server;
  WireObservation wire;
  bool completed() const { return client.handshake_ok && server.handshake_ok; }
};

// Both sessions run as the peer executable runs them (configure_endpoint, then
// run_tls_session), bounded by each config's timeout_ms. Never throws for anything the adapter
// or the library does.
MemoryHandshake handshake_in_memory(StackAdapter& adapter, const EndpointConfig& client,
                                    const EndpointConfig& server);

}  // namespace tlsmatrix
