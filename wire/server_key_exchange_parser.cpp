#include "server_key_exchange_parser.hpp"

#include "byte_reader.hpp"

namespace tlsmatrix::wire {

std::optional<std::uint16_t> parse_ecdhe_server_key_exchange_group(
    std::span<const std::uint8_t> body, NoteLog& notes) {
  constexpr std::uint8_t kNamedCurve = 3;
  ByteReader in(body);
  const auto curve_type = in.u8();
  const auto group = curve_type ? in.u16() : std::nullopt;
  if (!group) {
    notes.add("ServerKeyExchange: too short for ServerECDHParams");
    return std::nullopt;
  }
  if (*curve_type != kNamedCurve) {
    notes.add("ServerKeyExchange: curve_type {} is not named_curve", *curve_type);
    return std::nullopt;
  }
  return group;
}

}  // namespace tlsmatrix::wire
