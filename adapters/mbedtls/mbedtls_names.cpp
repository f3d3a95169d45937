#include "mbedtls_names.hpp"

#include <mbedtls/ssl_ciphersuites.h>
#include <psa/crypto.h>

#include <array>

#include "tls_registry.hpp"

namespace tlsmatrix::mbedtls_adapter {
namespace {

// The groups of ssl.h (MBEDTLS_SSL_IANA_TLS_GROUP_*) whose PSA mechanism this build enables;
// the library offers a configured group it lacks nowhere, so the adapter refuses it instead.
constexpr std::array kBuildGroups = {
#if defined(PSA_WANT_ECC_SECP_R1_256)
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
#endif
#if defined(PSA_WANT_ECC_SECP_R1_384)
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
#endif
#if defined(PSA_WANT_ECC_SECP_R1_521)
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1,
#endif
#if defined(PSA_WANT_ECC_SECP_R1_224)
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP224R1,
#endif
#if defined(PSA_WANT_ECC_SECP_R1_192)
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP192R1,
#endif
#if defined(PSA_WANT_ECC_SECP_K1_256)
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP256K1,
#endif
#if defined(PSA_WANT_ECC_SECP_K1_192)
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP192K1,
#endif
#if defined(PSA_WANT_ECC_BRAINPOOL_P_R1_256)
    MBEDTLS_SSL_IANA_TLS_GROUP_BP256R1,
#endif
#if defined(PSA_WANT_ECC_BRAINPOOL_P_R1_384)
    MBEDTLS_SSL_IANA_TLS_GROUP_BP384R1,
#endif
#if defined(PSA_WANT_ECC_BRAINPOOL_P_R1_512)
    MBEDTLS_SSL_IANA_TLS_GROUP_BP512R1,
#endif
#if defined(PSA_WANT_ECC_MONTGOMERY_255)
    MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
#endif
#if defined(PSA_WANT_ECC_MONTGOMERY_448)
    MBEDTLS_SSL_IANA_TLS_GROUP_X448,
#endif
#if defined(PSA_WANT_ALG_FFDH) && defined(PSA_WANT_DH_RFC7919_2048)
    MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE2048,
#endif
#if defined(PSA_WANT_ALG_FFDH) && defined(PSA_WANT_DH_RFC7919_3072)
    MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE3072,
#endif
#if defined(PSA_WANT_ALG_FFDH) && defined(PSA_WANT_DH_RFC7919_4096)
    MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE4096,
#endif
#if defined(PSA_WANT_ALG_FFDH) && defined(PSA_WANT_DH_RFC7919_6144)
    MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE6144,
#endif
#if defined(PSA_WANT_ALG_FFDH) && defined(PSA_WANT_DH_RFC7919_8192)
    MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE8192,
#endif
};

}  // namespace

std::optional<mbedtls_ssl_protocol_version> library_version_of(std::string_view registry_name) {
  if (registry_name == "TLSv1.2") return MBEDTLS_SSL_VERSION_TLS1_2;
  if (registry_name == "TLSv1.3") return MBEDTLS_SSL_VERSION_TLS1_3;
  return std::nullopt;
}

std::optional<std::string> registry_version_name(mbedtls_ssl_protocol_version version) {
  // Mbed TLS numbers versions by their wire code (0x0303, 0x0304).
  const auto known = version_by_code(static_cast<std::uint16_t>(version));
  if (!known) return std::nullopt;
  return std::string(known->name);
}

std::optional<std::uint16_t> library_group(std::string_view registry_name) {
  const auto group = group_by_name(registry_name);
  if (!group) return std::nullopt;
  for (const auto code : kBuildGroups)
    if (code == group->code) return group->code;
  return std::nullopt;
}

std::optional<int> library_suite(std::string_view registry_name) {
  const auto suite = cipher_suite_by_name(registry_name);
  if (!suite || mbedtls_ssl_ciphersuite_from_id(suite->code) == nullptr) return std::nullopt;
  return static_cast<int>(suite->code);
}

std::optional<std::string_view> keylog_label(mbedtls_ssl_key_export_type type) {
  switch (type) {
    case MBEDTLS_SSL_KEY_EXPORT_TLS12_MASTER_SECRET:
      return "CLIENT_RANDOM";
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_EARLY_SECRET:
      return "CLIENT_EARLY_TRAFFIC_SECRET";
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET:
      return "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET:
      return "SERVER_HANDSHAKE_TRAFFIC_SECRET";
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET:
      return "CLIENT_TRAFFIC_SECRET_0";
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_APPLICATION_TRAFFIC_SECRET:
      return "SERVER_TRAFFIC_SECRET_0";
    default:
      return std::nullopt;
  }
}

Alert make_alert(std::uint8_t description, bool fatal) {
  return Alert{description, alert_name(description), fatal};
}

}  // namespace tlsmatrix::mbedtls_adapter
