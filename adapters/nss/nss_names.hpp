// Translation between the suite's IANA vocabulary (tls_registry) and NSS identifiers. NSS numbers
// protocol versions, cipher suites and named groups by their IANA code points, so the mapping is
// a check that NSS implements the code rather than a table of names.
#pragma once

#include <sslt.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "outcome.hpp"

namespace tlsmatrix::nss_adapter {

// "TLSv1.3" -> SSL_LIBRARY_VERSION_TLS_1_3 (0x0304), when the registry knows the name.
std::optional<std::uint16_t> library_version_code(std::string_view registry_name);

// The group NSS implements under the registry's name, if it does.
std::optional<SSLNamedGroup> library_group(std::string_view registry_name);
// The IANA code of a group NSS negotiated, if it is a real group.
std::optional<std::uint16_t> registry_group_code(SSLNamedGroup group);

// The code of a cipher suite NSS implements (SSL_ImplementedCiphers), if it does.
std::optional<std::uint16_t> library_suite(std::string_view registry_name);

// SSLHashType for the registry's PSK hash name ("SHA256", "SHA384").
std::optional<SSLHashType> library_psk_hash(std::string_view name);

Alert make_alert(std::uint8_t description, bool fatal);

}  // namespace tlsmatrix::nss_adapter
