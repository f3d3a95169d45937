#include "mbedtls_util.hpp"

#include <fmt/format.h>
#include <mbedtls/debug.h>
#include <mbedtls/error.h>
#include <mbedtls/version.h>
#include <psa/crypto.h>

#include <array>
#include <stdexcept>

#include "stack_adapter.hpp"

namespace tlsmatrix::mbedtls_adapter {

void reject(std::string_view setting, std::string_view why) {
  throw ConfigRejected(std::string(setting), std::string(why));
}

void require_ok(int ret, std::string_view setting, std::string_view doing) {
  if (ret != 0) reject(setting, fmt::format("{}: {}", doing, error_text(ret)));
}

void require_library(int ret, std::string_view doing) {
  if (ret != 0) throw std::runtime_error(fmt::format("Mbed TLS {}: {}", doing, error_text(ret)));
}

std::string error_text(int ret) {
  std::array<char, 256> text{};
  mbedtls_strerror(ret, text.data(), text.size());
  return fmt::format("{} (-0x{:04X})", text.data(), static_cast<unsigned>(-ret));
}

int random_bytes(void* /*unused*/, unsigned char* out, std::size_t length) {
  return psa_generate_random(out, length) == PSA_SUCCESS ? 0 : MBEDTLS_ERR_ERROR_GENERIC_ERROR;
}

void library_init() {
  // Level 3 carries the lines EndpointContext::read_debug_line() reads; only configurations
  // with a debug callback format them.
  static const bool debug_level_set = (mbedtls_debug_set_threshold(3), true);
  (void)debug_level_set;
  static const psa_status_t status = psa_crypto_init();
  if (status != PSA_SUCCESS)
    throw std::runtime_error(fmt::format("psa_crypto_init failed: {}", static_cast<int>(status)));
}

std::string library_version() {
  std::array<char, 18> text{};  // mbedtls_version_get_string() writes at most 9 bytes
  mbedtls_version_get_string(text.data());
  return text.data();
}

}  // namespace tlsmatrix::mbedtls_adapter
