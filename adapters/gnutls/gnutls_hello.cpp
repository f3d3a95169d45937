#include "gnutls_hello.hpp"

#include <stdexcept>
#include <string>

namespace tlsmatrix::gnutls_adapter {
namespace {

constexpr unsigned kHandshakeRecord = 22;
constexpr unsigned kClientHello = 1;
constexpr unsigned kKeyShareExtension = 51;

// Bounds-checked big-endian reads over a byte string.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::size_t left() const { return bytes_.size() - pos_; }
  unsigned number(std::size_t width) {
    need(width);
    unsigned v = 0;
    for (std::size_t i = 0; i < width; ++i) v = v << 8 | static_cast<unsigned char>(bytes_[pos_++]);
    return v;
  }
  std::string_view take(std::size_t n) {
    need(n);
    const auto out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  void skip_vector(std::size_t length_width) { take(number(length_width)); }

 private:
  void need(std::size_t n) const {
    if (left() < n) throw std::runtime_error("truncated hello");
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<std::uint16_t> client_hello_key_shares(std::string_view wire) {
  std::string handshake;
  Reader records(wire);
  while (records.left() >= 5) {
    const unsigned type = records.number(1);
    records.number(2);  // legacy record version
    const auto fragment = records.take(records.number(2));
    if (type == kHandshakeRecord) handshake.append(fragment);
  }

  Reader hello(handshake);
  if (hello.number(1) != kClientHello) throw std::runtime_error("first message is no ClientHello");
  Reader body(hello.take(hello.number(3)));
  body.take(2 + 32);    // legacy_version, random
  body.skip_vector(1);  // legacy_session_id
  body.skip_vector(2);  // cipher_suites
  body.skip_vector(1);  // legacy_compression_methods
  if (body.left() == 0) return {};
  Reader extensions(body.take(body.number(2)));
  while (extensions.left() > 0) {
    const unsigned type = extensions.number(2);
    const auto data = extensions.take(extensions.number(2));
    if (type != kKeyShareExtension) continue;
    Reader shares_vector(data);
    Reader shares(shares_vector.take(shares_vector.number(2)));
    std::vector<std::uint16_t> groups;
    while (shares.left() > 0) {
      groups.push_back(static_cast<std::uint16_t>(shares.number(2)));
      shares.skip_vector(2);
    }
    return groups;
  }
  return {};
}

std::uint16_t server_hello_cipher_suite(std::string_view body) {
  Reader hello(body);
  hello.take(2 + 32);    // legacy_version, random
  hello.skip_vector(1);  // legacy_session_id_echo
  return static_cast<std::uint16_t>(hello.number(2));
}

}  // namespace tlsmatrix::gnutls_adapter
