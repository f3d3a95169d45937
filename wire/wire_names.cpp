#include "wire_names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace tlsmatrix::wire {
namespace {

template <typename Code>
struct Named {
  Code code;
  std::string_view name;
};

template <typename Code, std::size_t N>
std::string lookup(const std::array<Named<Code>, N>& table, Code code) {
  const auto it = std::find_if(table.begin(), table.end(),
                               [&](const auto& entry) { return entry.code == code; });
  return it == table.end() ? fmt::format("unknown({})", code) : std::string(it->name);
}

constexpr std::array<Named<std::uint8_t>, 5> kContentTypes = {{
    {20, "change_cipher_spec"},
    {21, "alert"},
    {22, "handshake"},
    {23, "application_data"},
    {24, "heartbeat"},
}};

constexpr std::array<Named<std::uint8_t>, 19> kHandshakeTypes = {{
    {0, "hello_request"},
    {1, "client_hello"},
    {2, "server_hello"},
    {3, "hello_verify_request"},
    {4, "new_session_ticket"},
    {5, "end_of_early_data"},
    {8, "encrypted_extensions"},
    {11, "certificate"},
    {12, "server_key_exchange"},
    {13, "certificate_request"},
    {14, "server_hello_done"},
    {15, "certificate_verify"},
    {16, "client_key_exchange"},
    {20, "finished"},
    {22, "certificate_status"},
    {24, "key_update"},
    {25, "compressed_certificate"},
    {67, "next_protocol"},
    {254, "message_hash"},
}};

constexpr std::array<Named<std::uint16_t>, 26> kExtensions = {{
    {0, "server_name"},
    {1, "max_fragment_length"},
    {5, "status_request"},
    {10, "supported_groups"},
    {11, "ec_point_formats"},
    {13, "signature_algorithms"},
    {16, "application_layer_protocol_negotiation"},
    {18, "signed_certificate_timestamp"},
    {21, "padding"},
    {22, "encrypt_then_mac"},
    {23, "extended_master_secret"},
    {27, "compress_certificate"},
    {28, "record_size_limit"},
    {35, "session_ticket"},
    {41, "pre_shared_key"},
    {42, "early_data"},
    {43, "supported_versions"},
    {44, "cookie"},
    {45, "psk_key_exchange_modes"},
    {47, "certificate_authorities"},
    {48, "oid_filters"},
    {49, "post_handshake_auth"},
    {50, "signature_algorithms_cert"},
    {51, "key_share"},
    {57, "quic_transport_parameters"},
    {65281, "renegotiation_info"},
}};

constexpr std::array<Named<std::uint8_t>, 2> kAlertLevels = {{{1, "warning"}, {2, "fatal"}}};

constexpr std::array<Named<std::uint8_t>, 2> kPskModes = {{{0, "psk_ke"}, {1, "psk_dhe_ke"}}};

}  // namespace

std::string content_type_name(std::uint8_t type) {
  return lookup(kContentTypes, type);
}
std::string handshake_type_name(std::uint8_t type) {
  return lookup(kHandshakeTypes, type);
}
std::string extension_name(std::uint16_t type) {
  return lookup(kExtensions, type);
}
std::string alert_level_name(std::uint8_t level) {
  return lookup(kAlertLevels, level);
}
std::string psk_key_exchange_mode_name(std::uint8_t mode) {
  return lookup(kPskModes, mode);
}

}  // namespace tlsmatrix::wire
