// JSON forms of the peer protocol's objects (peers/PROTOCOL.md).
#pragma once

#include <nlohmann/json.hpp>

#include "capabilities.hpp"
#include "endpoint_config.hpp"
#include "outcome.hpp"

namespace tlsmatrix {

// Version of the peer protocol this build speaks; bumped on any incompatible change.
inline constexpr int kPeerProtocolVersion = 6;

nlohmann::json to_json(const EndpointConfig& config);
// Throws std::invalid_argument naming the offending key.
EndpointConfig endpoint_config_from_json(const nlohmann::json& json);

nlohmann::json to_json(const HandshakeOutcome& outcome);
HandshakeOutcome outcome_from_json(const nlohmann::json& json);

nlohmann::json to_json(const Capabilities& caps);
// Throws std::invalid_argument naming the field that is missing or of the wrong type.
Capabilities capabilities_from_json(const nlohmann::json& json);

}  // namespace tlsmatrix
