// Translation between the suite's IANA names (tls_registry) and OpenSSL's spellings and NIDs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tlsmatrix::openssl {

// The name OpenSSL's group lists accept for an IANA group name.
std::string openssl_group_name(std::string_view iana_name);
// The IANA code of a group from any OpenSSL spelling of it (case-insensitive).
std::optional<std::uint16_t> group_code_from_openssl_name(std::string_view name);
// The IANA code of a group NID as SSL_get_negotiated_group() returns it, including the
// TLSEXT_nid_unknown | code form OpenSSL uses for groups without a NID.
std::optional<std::uint16_t> group_code_from_nid(int nid);

// OpenSSL's own name of a TLS 1.2 cipher suite given by IANA name, from the library's cipher
// table; nullopt when the library does not have it.
std::optional<std::string> openssl_tls12_cipher_name(std::string_view iana_name);

// OpenSSL's protocol version constant (TLS1_2_VERSION, ...) for a registry version name.
std::optional<int> openssl_version(std::string_view name);

}  // namespace tlsmatrix::openssl
