// Translation between the suite's IANA vocabulary (tls_registry) and GnuTLS identifiers. Every
// mapping is looked up in the linked library at run time, so a newer GnuTLS that knows more
// groups or suites is picked up without a table change here.
#pragma once

#include <gnutls/gnutls.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "outcome.hpp"

namespace tlsmatrix::gnutls_adapter {

// "TLSv1.3" <-> GNUTLS_TLS1_3.
std::optional<gnutls_protocol_t> library_protocol(std::string_view registry_name);
std::optional<std::string> registry_protocol_name(gnutls_protocol_t protocol);
// The wire code of a protocol version (SSL 3.0 included, which the registry does not name).
std::optional<std::uint16_t> protocol_wire_code(gnutls_protocol_t protocol);

// "x25519" <-> GNUTLS_GROUP_X25519, "X25519MLKEM768" <-> the library's "X25519-MLKEM768".
std::optional<gnutls_group_t> library_group(std::string_view registry_name);
std::optional<std::uint16_t> registry_group_code(gnutls_group_t group);

// One entry of the library's cipher suite table.
struct LibrarySuite {
  std::uint16_t code = 0;
  std::string library_name;
  gnutls_kx_algorithm_t kx = GNUTLS_KX_UNKNOWN;  // unknown for TLS 1.3 suites
  gnutls_cipher_algorithm_t cipher = GNUTLS_CIPHER_UNKNOWN;
  gnutls_mac_algorithm_t mac = GNUTLS_MAC_UNKNOWN;
  gnutls_protocol_t min_version = GNUTLS_VERSION_UNKNOWN;

  bool tls13() const { return min_version == GNUTLS_TLS1_3; }
  // The highest version the suite can be negotiated in, as a wire code.
  std::uint16_t max_wire_version() const { return tls13() ? 0x0304 : 0x0303; }
};

std::optional<LibrarySuite> library_suite_at(std::size_t index);
std::optional<LibrarySuite> library_suite(std::uint16_t code);
// The code of the suite a session negotiated.
std::optional<std::uint16_t> negotiated_suite_code(gnutls_session_t session);

// The registry's name for a suite code, or the library's own name for suites the registry lacks.
std::string suite_display_name(std::uint16_t code);

Alert make_alert(int description, bool fatal);

}  // namespace tlsmatrix::gnutls_adapter
