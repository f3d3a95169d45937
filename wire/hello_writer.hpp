// Builds ClientHello and ServerHello / HelloRetryRequest handshake messages (RFC 8446 §4.1.2,
// §4.1.3) from plain structs, with the extensions the hello parsers read, so tests and an
// active attacker can make messages and alter them. Extensions are written in a fixed order;
// `extra_extensions` add anything else, verbatim.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tlsmatrix::wire {

struct KeyShareEntry {  // RFC 8446 §4.2.8
  std::uint16_t group = 0;
  std::vector<std::uint8_t> key_exchange;
};

struct PskIdentity {  // RFC 8446 §4.2.11
  std::vector<std::uint8_t> identity;
  std::uint32_t obfuscated_ticket_age = 0;
};

struct ExtensionBytes {
  std::uint16_t type = 0;
  std::vector<std::uint8_t> data;
};

// An empty list leaves its extension out, except where noted.
struct ClientHelloSpec {
  std::uint16_t legacy_version = 0x0303;
  std::array<std::uint8_t, 32> random{};
  std::vector<std::uint8_t> legacy_session_id;
  std::vector<std::uint16_t> cipher_suites;
  std::optional<std::string> server_name;  // server_name with one host_name (RFC 6066 §3)
  std::vector<std::uint16_t> supported_groups;
  std::vector<std::uint16_t> supported_versions;
  std::vector<std::uint8_t> psk_key_exchange_modes;  // 0 = psk_ke, 1 = psk_dhe_ke
  // nullopt leaves key_share out; an empty list sends it with no shares (§4.2.8 allows that).
  std::optional<std::vector<KeyShareEntry>> key_shares;
  bool early_data = false;
  std::vector<ExtensionBytes> extra_extensions;
  // pre_shared_key, written last as §4.2.11 requires; one binder per identity.
  std::vector<PskIdentity> psk_identities;
  std::vector<std::vector<std::uint8_t>> psk_binders;
};

struct ServerHelloSpec {
  // Writes the HelloRetryRequest random (§4.1.3) instead of `random`.
  bool hello_retry_request = false;
  std::uint16_t legacy_version = 0x0303;
  std::array<std::uint8_t, 32> random{};
  std::vector<std::uint8_t> legacy_session_id_echo;
  std::uint16_t cipher_suite = 0;
  std::optional<std::uint16_t> supported_version;
  // A ServerHello's share; a HelloRetryRequest writes only its group (selected_group, §4.2.8).
  std::optional<KeyShareEntry> key_share;
  std::optional<std::uint16_t> psk_selected_identity;
  std::vector<ExtensionBytes> extra_extensions;
};

// Whole handshake messages, 4-byte header included.
std::vector<std::uint8_t> write_client_hello(const ClientHelloSpec& spec);
std::vector<std::uint8_t> write_server_hello(const ServerHelloSpec& spec);

}  // namespace tlsmatrix::wire
