// Wraps bytes into TLSPlaintext records (RFC 8446 §5.1), the reverse of record_walker.hpp.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wire_constants.hpp"

namespace tlsmatrix::wire {

// `payload` as records of `content_type`, split into fragments of at most `max_fragment` bytes
// (at most 2^14, §5.1); an empty payload gives one empty record.
std::vector<std::uint8_t> write_records(std::uint8_t content_type,
                                        std::span<const std::uint8_t> payload,
                                        std::uint16_t legacy_record_version = 0x0303,
                                        std::size_t max_fragment = kMaxPlaintextLength);

}  // namespace tlsmatrix::wire
