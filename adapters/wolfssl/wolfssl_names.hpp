// Translation between the suite's IANA names and codes and wolfSSL's own spellings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tlsmatrix::wolfssl {

// wolfSSL's named-group id for an IANA group code.
int group_id(std::uint16_t iana_code);

// The IANA code of the group wolfSSL_get_curve_name() names, e.g. "SECP256R1" or "FFDHE_2048".
// TLS 1.3 uses distinct code points for the brainpool curves, hence `tls13`.
std::optional<std::uint16_t> group_code_from_curve_name(std::string_view curve_name, bool tls13);

// wolfSSL's internal suite name ("TLS13-AES128-GCM-SHA256"), which the PSK callbacks must
// return; nullopt when this build does not have the suite.
std::optional<std::string> suite_internal_name(std::uint16_t iana_code);

// The wire code of a protocol version name ("TLSv1.2" -> 0x0303); wolfSSL's
// *_proto_version() functions take exactly these codes.
std::optional<int> version_code(std::string_view name);

// wolfSSL_GetVersion()'s enum (WOLFSSL_TLSV1_2, ...) to the IANA version name.
std::optional<std::string> version_name_from_wolfssl(int wolfssl_version);

}  // namespace tlsmatrix::wolfssl
