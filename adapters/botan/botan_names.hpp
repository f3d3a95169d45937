// Translation between the suite's IANA vocabulary (tls_registry) and Botan's identifiers. Botan
// keys groups and cipher suites by their IANA code points, so the mapping goes through the code
// and asks the linked library whether it implements it.
#pragma once

#include <botan/tls_algos.h>
#include <botan/tls_ciphersuite.h>
#include <botan/tls_version.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "outcome.hpp"

namespace tlsmatrix::botan_adapter {

// "TLSv1.3" <-> Protocol_Version::TLS_V13; nullopt for versions Botan does not speak.
std::optional<Botan::TLS::Protocol_Version> library_version_of(std::string_view registry_name);
std::optional<std::string> registry_version_name(Botan::TLS::Protocol_Version version);
// The wire code of a registry version name ("TLSv1.0" -> 0x0301), nullopt when unknown.
std::optional<std::uint16_t> registry_version_code(std::string_view registry_name);

// "X25519MLKEM768" -> the Group_Params this build of Botan implements, nullopt otherwise.
std::optional<Botan::TLS::Group_Params> library_group(std::string_view registry_name);
// Botan's name of a negotiated group (Session_Summary::kex_parameters) -> IANA code.
std::optional<std::uint16_t> registry_group_code(std::string_view library_name);

// "TLS_AES_128_GCM_SHA256" -> the suite in Botan's table, nullopt when Botan lacks it.
std::optional<Botan::TLS::Ciphersuite> library_suite(std::string_view registry_name);

Alert make_alert(std::uint8_t code, bool fatal);

}  // namespace tlsmatrix::botan_adapter
