// A bounds-checked reader for the TLS presentation language (RFC 8446 §3): big-endian integers
// and length-prefixed vectors. Wire bytes are untrusted, so every read checks what is left first;
// a read that does not fit returns nullopt and consumes nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tlsmatrix::wire {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return data_.size() - offset_; }
  bool empty() const { return remaining() == 0; }
  // The unread bytes, without consuming them.
  std::span<const std::uint8_t> rest() const { return data_.subspan(offset_); }

  std::optional<std::uint8_t> u8() { return narrow<std::uint8_t>(read_uint(1)); }
  std::optional<std::uint16_t> u16() { return narrow<std::uint16_t>(read_uint(2)); }
  std::optional<std::uint32_t> u24() { return narrow<std::uint32_t>(read_uint(3)); }
  std::optional<std::uint32_t> u32() { return narrow<std::uint32_t>(read_uint(4)); }

  std::optional<std::span<const std::uint8_t>> bytes(std::size_t count) {
    if (count > remaining()) return std::nullopt;
    const auto out = data_.subspan(offset_, count);
    offset_ += count;
    return out;
  }

  // A variable-length vector (RFC 8446 §3.4): a length prefix of `prefix_bytes` (1, 2 or 3)
  // followed by that many bytes. Returns a reader over the contents.
  std::optional<ByteReader> vector(std::size_t prefix_bytes) {
    const std::size_t start = offset_;
    const auto length = read_uint(prefix_bytes);
    if (!length) return std::nullopt;
    const auto contents = bytes(static_cast<std::size_t>(*length));
    if (!contents) {
      offset_ = start;
      return std::nullopt;
    }
    return ByteReader(*contents);
  }

 private:
  std::optional<std::uint64_t> read_uint(std::size_t width) {
    if (width == 0 || width > 8 || width > remaining()) return std::nullopt;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | data_[offset_ + i];
    offset_ += width;
    return value;
  }

  template <typename T>
  static std::optional<T> narrow(std::optional<std::uint64_t> value) {
    if (!value) return std::nullopt;
    return static_cast<T>(*value);
  }

  std::span<const std::uint8_t> data_;
  std::size_t offset_ = 0;
};

}  // namespace tlsmatrix::wire
