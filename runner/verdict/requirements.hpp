// Decides `unsupported` before a cell runs: what an endpoint configuration needs from a
// peer's probed capabilities, and what is missing.
#pragma once

#include <string>
#include <vector>

#include "capabilities.hpp"
#include "endpoint_config.hpp"

namespace tlsmatrix {

// Each missing item, named as a reader would look for it ("group x448", "feature
// key_share_selection"); empty when the peer can play this endpoint.
std::vector<std::string> missing_capabilities(const EndpointConfig& config,
                                              const Capabilities& caps,
                                              const std::vector<std::string>& extra_features = {});

}  // namespace tlsmatrix
