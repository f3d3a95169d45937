#include "pre_shared_key.hpp"

#include "byte_reader.hpp"

namespace tlsmatrix::wire {

OfferedPsks read_offered_psks(std::span<const std::uint8_t> extension_data) {
  // OfferedPsks = PskIdentity identities<7..2^16-1>, PskBinderEntry binders<33..2^16-1>; each
  // PskIdentity is opaque identity<1..2^16-1> and a uint32 obfuscated_ticket_age.
  OfferedPsks out;
  ByteReader ext(extension_data);
  auto identities = ext.vector(2);
  if (!identities) return out;
  while (!identities->empty()) {
    const auto identity = identities->vector(2);
    if (!identity || !identities->u32()) return out;
    out.identities.push_back(identity->rest());
  }
  out.well_formed = ext.vector(2) && ext.empty();
  return out;
}

}  // namespace tlsmatrix::wire
