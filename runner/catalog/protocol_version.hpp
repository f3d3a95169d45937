// Every event a peer prints names the peer protocol version it speaks (peers/PROTOCOL.md); a
// peer of another version would be misread field by field, so it is turned away with a
// message saying which versions differ.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tlsmatrix {

// Empty when `event` is of the version this runner speaks; otherwise what follows the peer's
// name: "speaks peer protocol 1, but this runner speaks protocol 2 (...)".
std::string protocol_mismatch(const nlohmann::json& event);

}  // namespace tlsmatrix
