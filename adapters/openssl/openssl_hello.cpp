#include "openssl_hello.hpp"

#include <algorithm>
#include <array>

namespace tlsmatrix::openssl {
namespace {

constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint16_t kExtKeyShare = 51;

// SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3.
constexpr std::array<std::uint8_t, 32> kHrrRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// A bounds-checked cursor; any overrun turns the reader bad instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  bool ok() const { return ok_; }
  bool empty() const { return data_.empty(); }

  std::uint32_t u8() { return take_int(1); }
  std::uint32_t u16() { return take_int(2); }
  std::uint32_t u24() { return take_int(3); }
  std::span<const std::uint8_t> bytes(std::size_t n) {
    if (!ok_ || data_.size() < n) {
      ok_ = false;
      return {};
    }
    const auto out = data_.first(n);
    data_ = data_.subspan(n);
    return out;
  }
  // A vector with a length prefix of `prefix` bytes.
  Reader vec(int prefix) { return Reader(bytes(take_int(prefix))); }

 private:
  std::uint32_t take_int(int n) {
    std::uint32_t v = 0;
    for (const auto b : bytes(static_cast<std::size_t>(n))) v = (v << 8) | b;
    return v;
  }

  std::span<const std::uint8_t> data_;
  bool ok_ = true;
};

// Positions `r` at the start of the extensions block of a hello message of `type`.
std::optional<Reader> hello_body(std::span<const std::uint8_t> message, std::uint8_t type) {
  Reader r(message);
  if (r.u8() != type) return std::nullopt;
  Reader body = r.vec(3);
  if (!r.ok()) return std::nullopt;
  return body;
}

}  // namespace

std::optional<ClientHelloFields> parse_client_hello(std::span<const std::uint8_t> message) {
  auto body = hello_body(message, kClientHello);
  if (!body) return std::nullopt;
  Reader& r = *body;
  r.u16();      // legacy_version
  r.bytes(32);  // random
  r.vec(1);     // legacy_session_id
  r.vec(2);     // cipher_suites
  r.vec(1);     // legacy_compression_methods
  ClientHelloFields out;
  if (r.empty()) return r.ok() ? std::optional(out) : std::nullopt;
  Reader exts = r.vec(2);
  while (exts.ok() && !exts.empty()) {
    const auto type = exts.u16();
    Reader ext = exts.vec(2);
    if (type != kExtKeyShare) continue;
    Reader shares = ext.vec(2);
    while (shares.ok() && !shares.empty()) {
      const auto group = static_cast<std::uint16_t>(shares.u16());
      shares.vec(2);
      if (shares.ok()) out.key_share_groups.push_back(group);
    }
    if (!shares.ok()) return std::nullopt;
  }
  if (!r.ok() || !exts.ok()) return std::nullopt;
  return out;
}

std::optional<ServerHelloFields> parse_server_hello(std::span<const std::uint8_t> message) {
  auto body = hello_body(message, kServerHello);
  if (!body) return std::nullopt;
  Reader& r = *body;
  r.u16();  // legacy_version
  const auto random = r.bytes(32);
  r.vec(1);  // legacy_session_id_echo
  r.u16();   // cipher_suite
  r.u8();    // legacy_compression_method
  if (!r.ok()) return std::nullopt;
  ServerHelloFields out;
  out.hello_retry_request = std::equal(random.begin(), random.end(), kHrrRandom.begin());
  if (r.empty()) return out;  // a TLS 1.2 ServerHello may have no extensions
  Reader exts = r.vec(2);
  while (exts.ok() && !exts.empty()) {
    const auto type = exts.u16();
    Reader ext = exts.vec(2);
    if (type == kExtKeyShare) {
      // An HRR names only the selected group; a ServerHello's entry starts with its group.
      const auto group = static_cast<std::uint16_t>(ext.u16());
      if (ext.ok()) out.key_share_group = group;
    }
  }
  if (!exts.ok()) return std::nullopt;
  return out;
}

}  // namespace tlsmatrix::openssl
