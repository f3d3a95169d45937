// Hex text as the peer protocol carries bytes (PSK secrets, binary identities): one encoder and
// one decoder for the protocol code, the adapters and the runner.
#pragma once

#include <string>
#include <string_view>

namespace tlsmatrix {

// Non-empty, an even number of characters, all hex digits (either case).
bool is_hex(std::string_view text);
// Lower-case hex of `bytes`.
std::string hex_of(std::string_view bytes);
// The bytes of `hex`, which must satisfy is_hex (throws std::invalid_argument otherwise).
std::string bytes_from_hex(std::string_view hex);

}  // namespace tlsmatrix
