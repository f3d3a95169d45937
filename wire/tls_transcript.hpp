// Turns the two byte streams the recording relay captured for one connection into a
// WireObservation: what was on the wire, in IANA terms, whichever stacks were talking.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "wire_observation.hpp"

namespace tlsmatrix {

// Pure and total: no I/O, never throws, never reads outside the two spans and always ends.
// Garbage, truncation and lying length fields end up in `notes`, next to whatever could be
// read before them.
WireObservation observe_handshake(std::span<const std::uint8_t> client_to_server,
                                  std::span<const std::uint8_t> server_to_client);

// Codes come with their names: {"code": 29, "name": "x25519"}; an unknown value is null.
nlohmann::json to_json(const WireObservation& observation);

}  // namespace tlsmatrix
