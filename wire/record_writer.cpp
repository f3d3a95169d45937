#include "record_writer.hpp"

#include <algorithm>

#include "byte_writer.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix::wire {

std::vector<std::uint8_t> write_records(std::uint8_t content_type,
                                        std::span<const std::uint8_t> payload,
                                        std::uint16_t legacy_record_version,
                                        std::size_t max_fragment) {
  max_fragment = std::clamp<std::size_t>(max_fragment, 1, kMaxPlaintextLength);
  ByteWriter w;
  std::size_t offset = 0;
  do {
    const auto fragment = payload.subspan(offset, std::min(max_fragment, payload.size() - offset));
    w.u8(content_type);
    w.u16(legacy_record_version);
    w.vector(2, [&](ByteWriter& v) { v.bytes(fragment); });
    offset += fragment.size();
  } while (offset < payload.size());
  return w.data();
}

}  // namespace tlsmatrix::wire
