// Decides `unsupported` before a cell runs: whether a peer's probed capabilities (protocol 2:
// per item and role, what it implements and what a configuration can restrict it to) can
// produce an endpoint configuration, and what stops it.
#pragma once

#include <string>
#include <vector>

#include "capabilities.hpp"
#include "endpoint_config.hpp"
#include "features.hpp"

namespace tlsmatrix {

// The other side of the cell. An item a server cannot leave out matters only when the client
// may offer it; without a client, every such item counts.
struct Counterpart {
  const EndpointConfig& config;
  const Capabilities& caps;
};

// Each obstacle, as a phrase that follows the peer's name ("lacks group x448", "cannot exclude
// cipher suite TLS_AES_128_CCM_SHA256"); empty when the peer can play this endpoint.
// `required_features` are those a scenario names in `requires:`.
std::vector<std::string> missing_capabilities(const EndpointConfig& config,
                                              const Capabilities& caps,
                                              const std::vector<Feature>& required_features = {},
                                              const Counterpart* client = nullptr);

}  // namespace tlsmatrix
