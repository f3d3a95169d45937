// JSON forms of the peer protocol's objects (peers/PROTOCOL.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "capabilities.hpp"
#include "endpoint_config.hpp"
#include "outcome.hpp"

namespace tlsmatrix {

// Version of the peer protocol this build speaks; bumped on any incompatible change.
inline constexpr int kPeerProtocolVersion = 6;

nlohmann::json to_json(const EndpointConfig& config);
// The request a runner sends a peer (peers/PROTOCOL.md, "Request"):
// {"protocol": 6, "request": NUMBER, "config": {...}}, one line of it per request.
nlohmann::json request_json(std::uint64_t number, const EndpointConfig& config);
// The runner's message that abandons request NUMBER of a serving peer ("Serving many requests").
nlohmann::json cancel_json(std::uint64_t number);
// Throws std::invalid_argument naming the offending key.
EndpointConfig endpoint_config_from_json(const nlohmann::json& json);

nlohmann::json to_json(const HandshakeOutcome& outcome);
HandshakeOutcome outcome_from_json(const nlohmann::json& json);

nlohmann::json to_json(const Capabilities& caps);
// Throws std::invalid_argument naming the field that is missing or of the wrong type.
Capabilities capabilities_from_json(const nlohmann::json& json);

}  // namespace tlsmatrix
