// Names for the wire code points tls_registry does not cover: record content types, handshake
// message types, extension types, alert levels and PSK key exchange modes.
#pragma once

#include <cstdint>
#include <string>

namespace tlsmatrix::wire {

// Each returns "unknown(N)" for a code it does not know.
std::string content_type_name(std::uint8_t type);           // RFC 8446 §5.1
std::string handshake_type_name(std::uint8_t type);         // RFC 8446 §4, RFC 5246 §7.4
std::string extension_name(std::uint16_t type);             // IANA "TLS ExtensionType Values"
std::string alert_level_name(std::uint8_t level);           // RFC 8446 §6
std::string psk_key_exchange_mode_name(std::uint8_t mode);  // RFC 8446 §4.2.9

}  // namespace tlsmatrix::wire
