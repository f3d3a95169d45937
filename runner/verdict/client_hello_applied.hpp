// Whether the client's first ClientHello carries what its configuration asked for: a peer
// that claims a setting but sends something else makes every verdict about that setting
// meaningless, so the cell must not pass or fail on it.
#pragma once

#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix {

struct ClientHelloExpectation {
  const std::string& peer_id;
  const EndpointConfig& config;
  // Feature::group_order: the client promises to send `groups` in the configured order.
  bool honours_group_order = false;
};

// One sentence per setting the ClientHello contradicts; empty when it agrees or the wire saw
// no ClientHello.
std::vector<std::string> client_hello_contradictions(const WireObservation& wire,
                                                     const ClientHelloExpectation& expected);

}  // namespace tlsmatrix
