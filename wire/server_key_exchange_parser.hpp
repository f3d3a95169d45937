// Reads the group of a TLS 1.2 ECDHE ServerKeyExchange.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "note_log.hpp"

namespace tlsmatrix::wire {

// The body starts with ServerECDHParams (RFC 8422 §5.4): ECCurveType curve_type, and for
// named_curve (3) the 2-byte NamedCurve, which shares its code space with NamedGroup
// (RFC 8446 §4.2.7). Anything else is noted and yields nullopt.
std::optional<std::uint16_t> parse_ecdhe_server_key_exchange_group(
    std::span<const std::uint8_t> body, NoteLog& notes);

}  // namespace tlsmatrix::wire
