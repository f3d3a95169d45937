// Reads the pre_shared_key extension of a ClientHello (RFC 8446 §4.2.11): the one reader of
// offered PSK identities, for the hello parser and for a peer's server callback that must know
// whether its identity is among them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tlsmatrix::wire {

struct OfferedPsks {
  // The identities read before anything malformed; views into the extension data.
  std::vector<std::span<const std::uint8_t>> identities;
  bool well_formed = false;  // identities and binders framed exactly, nothing left over
};

OfferedPsks read_offered_psks(std::span<const std::uint8_t> extension_data);

}  // namespace tlsmatrix::wire
