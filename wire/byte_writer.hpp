// The writing half of byte_reader.hpp: big-endian integers and length-prefixed vectors of the
// TLS presentation language (RFC 8446 §3), for building messages in tests and attacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace tlsmatrix::wire {

class ByteWriter {
 public:
  void u8(std::uint8_t value) { put_uint(value, 1); }
  void u16(std::uint16_t value) { put_uint(value, 2); }
  void u24(std::uint32_t value) { put_uint(value, 3); }
  void u32(std::uint32_t value) { put_uint(value, 4); }
  void bytes(std::span<const std::uint8_t> data) {
    out_.insert(out_.end(), data.begin(), data.end());
  }

  // A variable-length vector (RFC 8446 §3.4): `fill(*this)` writes the contents, which are
  // then preceded by their length in `prefix_bytes` (1, 2 or 3) bytes. Contents too long for
  // the prefix throw std::length_error: a wrong length is written on purpose with bytes().
  template <typename Fill>
  void vector(std::size_t prefix_bytes, Fill&& fill) {
    const std::size_t start = out_.size();
    put_uint(0, prefix_bytes);
    fill(*this);
    const std::size_t length = out_.size() - start - prefix_bytes;
    if (length >= (std::size_t{1} << (8 * prefix_bytes)))
      throw std::length_error("vector contents exceed their length prefix");
    for (std::size_t i = 0; i < prefix_bytes; ++i)
      out_[start + i] = static_cast<std::uint8_t>(length >> (8 * (prefix_bytes - 1 - i)));
  }

  const std::vector<std::uint8_t>& data() const { return out_; }

 private:
  void put_uint(std::uint64_t value, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i)
      out_.push_back(static_cast<std::uint8_t>(value >> (8 * (width - 1 - i))));
  }

  std::vector<std::uint8_t> out_;
};

}  // namespace tlsmatrix::wire
