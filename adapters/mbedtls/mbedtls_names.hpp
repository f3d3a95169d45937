// Translation between the suite's IANA vocabulary (tls_registry) and Mbed TLS identifiers.
// Mbed TLS speaks IANA code points for groups and cipher suites already; what is left is which
// of them this build can do.
#pragma once

#include <mbedtls/ssl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "outcome.hpp"

namespace tlsmatrix::mbedtls_adapter {

// "TLSv1.2" <-> MBEDTLS_SSL_VERSION_TLS1_2; nullopt for versions Mbed TLS 3 does not implement.
std::optional<mbedtls_ssl_protocol_version> library_version_of(std::string_view registry_name);
std::optional<std::string> registry_version_name(mbedtls_ssl_protocol_version version);

// The IANA code of a group this build can negotiate, or nullopt (ML-KEM and hybrids: Mbed TLS
// 3.6 has none).
std::optional<std::uint16_t> library_group(std::string_view registry_name);

// The IANA code of a cipher suite this build implements, or nullopt.
std::optional<int> library_suite(std::string_view registry_name);

// The SSLKEYLOGFILE label of an exported secret, or nullopt for secrets keylog files omit.
std::optional<std::string_view> keylog_label(mbedtls_ssl_key_export_type type);

Alert make_alert(std::uint8_t description, bool fatal);

}  // namespace tlsmatrix::mbedtls_adapter
