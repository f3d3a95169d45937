#include "gnutls_util.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "stack_adapter.hpp"

namespace tlsmatrix::gnutls_adapter {

void reject(std::string_view setting, std::string_view why) {
  throw ConfigRejected(std::string(setting), std::string(why));
}

void require_ok(int ret, std::string_view setting, std::string_view doing) {
  if (ret < 0) reject(setting, fmt::format("{}: {}", doing, gnutls_strerror(ret)));
}

void require_library(int ret, std::string_view doing) {
  if (ret < 0) throw std::runtime_error(fmt::format("GnuTLS: {}: {}", doing, gnutls_strerror(ret)));
}

gnutls_datum_t as_datum(std::string_view bytes) {
  // The datum type is not const-correct; every API this adapter passes it to only reads it.
  return {reinterpret_cast<unsigned char*>(const_cast<char*>(bytes.data())),
          static_cast<unsigned int>(bytes.size())};
}

std::string take_datum(gnutls_datum_t& datum) {
  std::string out;
  if (datum.data != nullptr) out.assign(reinterpret_cast<const char*>(datum.data), datum.size);
  gnutls_free(datum.data);
  datum = {nullptr, 0};
  return out;
}

std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string from_hex(std::string_view hex) {
  const auto nibble = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

std::string library_version() {
  const char* v = gnutls_check_version(nullptr);
  return v != nullptr ? v : "";
}

}  // namespace tlsmatrix::gnutls_adapter
