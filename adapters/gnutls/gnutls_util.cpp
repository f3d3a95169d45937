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

std::string_view as_bytes(const gnutls_datum_t& datum) {
  if (datum.data == nullptr) return {};
  return {reinterpret_cast<const char*>(datum.data), datum.size};
}

std::string take_datum(gnutls_datum_t& datum) {
  std::string out;
  if (datum.data != nullptr) out.assign(reinterpret_cast<const char*>(datum.data), datum.size);
  gnutls_free(datum.data);
  datum = {nullptr, 0};
  return out;
}

void SecretDatum::reset() {
  if (datum_.data != nullptr) {
    gnutls_memset(datum_.data, 0, datum_.size);
    gnutls_free(datum_.data);
  }
  datum_ = {nullptr, 0};
}

std::string library_version() {
  const char* v = gnutls_check_version(nullptr);
  return v != nullptr ? v : "";
}

}  // namespace tlsmatrix::gnutls_adapter
