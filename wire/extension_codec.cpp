#include "extension_codec.hpp"

#include "byte_reader.hpp"
#include "byte_writer.hpp"

namespace tlsmatrix::wire {
namespace {

std::optional<KeyShareEntry> read_entry(ByteReader& in) {
  const auto group = in.u16();
  const auto key = group ? in.vector(2) : std::nullopt;
  if (!key) return std::nullopt;
  const auto bytes = key->rest();
  return KeyShareEntry{*group, {bytes.begin(), bytes.end()}};
}

void write_entry(ByteWriter& w, const KeyShareEntry& share) {
  w.u16(share.group);
  w.vector(2, [&](ByteWriter& v) { v.bytes(share.key_exchange); });
}

}  // namespace

std::optional<std::vector<std::uint16_t>> read_u16_list(std::span<const std::uint8_t> data,
                                                        std::size_t prefix_bytes) {
  ByteReader in(data);
  auto list = in.vector(prefix_bytes);
  if (!list || !in.empty() || list->remaining() % 2 != 0) return std::nullopt;
  std::vector<std::uint16_t> out;
  while (!list->empty()) out.push_back(*list->u16());
  return out;
}

std::vector<std::uint8_t> write_u16_list(const std::vector<std::uint16_t>& values,
                                         std::size_t prefix_bytes) {
  ByteWriter w;
  w.vector(prefix_bytes, [&](ByteWriter& v) {
    for (const auto value : values) v.u16(value);
  });
  return w.data();
}

std::optional<std::vector<std::uint8_t>> read_u8_list(std::span<const std::uint8_t> data) {
  ByteReader in(data);
  const auto list = in.vector(1);
  if (!list || !in.empty()) return std::nullopt;
  const auto bytes = list->rest();
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> write_u8_list(const std::vector<std::uint8_t>& values) {
  ByteWriter w;
  w.vector(1, [&](ByteWriter& v) { v.bytes(values); });
  return w.data();
}

std::optional<std::vector<KeyShareEntry>> read_client_key_shares(
    std::span<const std::uint8_t> data) {
  ByteReader in(data);
  auto list = in.vector(2);
  if (!list || !in.empty()) return std::nullopt;
  std::vector<KeyShareEntry> out;
  while (!list->empty()) {
    auto entry = read_entry(*list);
    if (!entry) return std::nullopt;
    out.push_back(std::move(*entry));
  }
  return out;
}

std::vector<std::uint8_t> write_client_key_shares(const std::vector<KeyShareEntry>& shares) {
  ByteWriter w;
  w.vector(2, [&](ByteWriter& v) {
    for (const auto& share : shares) write_entry(v, share);
  });
  return w.data();
}

std::optional<KeyShareEntry> read_server_key_share(std::span<const std::uint8_t> data) {
  ByteReader in(data);
  auto entry = read_entry(in);
  if (!entry || !in.empty()) return std::nullopt;
  return entry;
}

std::vector<std::uint8_t> write_server_key_share(const KeyShareEntry& share) {
  ByteWriter w;
  write_entry(w, share);
  return w.data();
}

}  // namespace tlsmatrix::wire
