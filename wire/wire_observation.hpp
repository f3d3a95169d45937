// What the runner saw of one TLS handshake on the wire, in IANA terms and independent of either
// TLS library. Only the plaintext part of a handshake is visible: in TLS 1.3 everything after
// the ServerHello is encrypted (RFC 8446 §2), in TLS 1.2 everything after ChangeCipherSpec.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tlsmatrix {

// A plaintext alert record (RFC 8446 §6).
struct WireAlert {
  std::uint8_t level = 0;         // 1 = warning, 2 = fatal
  std::uint8_t description = 0;   // IANA alert code, e.g. 40
  std::string name;               // e.g. "handshake_failure"
  std::size_t record_offset = 0;  // where the record starts in its direction's byte stream
};

// The record layer of one direction (RFC 8446 §5.1).
struct DirectionObservation {
  std::size_t total_bytes = 0;
  std::size_t record_count = 0;  // whole records framed, plaintext and encrypted
  bool encryption_started = false;
  // Protected records. TLS 1.3 compatibility ChangeCipherSpecs and stray plaintext records
  // after encryption started are not counted.
  std::size_t encrypted_record_count = 0;
  std::vector<WireAlert> plaintext_alerts;
  std::vector<std::uint8_t> handshake_messages;  // types of the plaintext messages, in order
};

// One key_share entry (RFC 8446 §4.2.8).
struct KeyShareObservation {
  std::uint16_t group = 0;
  std::size_t key_exchange_length = 0;
};

// RFC 8446 §4.1.2, with the extensions of §4.2 the matrix judges. A field the message ended
// before stays empty (zero for numbers); the notes say where it ended.
struct ClientHelloObservation {
  std::size_t message_length = 0;  // handshake body length, without the 4-byte header
  std::uint16_t legacy_version = 0;
  std::optional<std::array<std::uint8_t, 32>> random;
  std::vector<std::uint16_t> supported_versions;
  std::vector<std::uint16_t> cipher_suites;
  std::vector<std::uint16_t> supported_groups;
  std::vector<KeyShareObservation> key_shares;
  std::vector<std::uint8_t> psk_key_exchange_modes;  // 0 = psk_ke, 1 = psk_dhe_ke
  bool pre_shared_key = false;
  // The offered PSK identities (RFC 8446 §4.2.11), in order; bytes outside printable ASCII as
  // \xNN.
  std::vector<std::string> psk_identities;
  bool early_data = false;
  // The first host_name of server_name (RFC 6066 §3); bytes outside printable ASCII as \xNN.
  std::optional<std::string> server_name;
  std::vector<std::uint16_t> extensions;  // extension types in the order sent
};

// RFC 8446 §4.1.3; a HelloRetryRequest is a ServerHello with a fixed random (§4.1.4). As in
// ClientHelloObservation, a field the message ended before stays zero or empty.
struct ServerHelloObservation {
  std::size_t message_length = 0;
  bool hello_retry_request = false;
  std::uint16_t legacy_version = 0;
  std::optional<std::array<std::uint8_t, 32>> random;
  std::optional<std::uint16_t> supported_version;  // the supported_versions extension
  std::uint16_t version = 0;  // negotiated: supported_version if present, else legacy_version
  std::uint16_t cipher_suite = 0;
  // For a ServerHello the share's group and size; for a HelloRetryRequest the selected group
  // only (RFC 8446 §4.2.8).
  std::optional<std::uint16_t> key_share_group;
  std::optional<std::size_t> key_share_length;
  std::optional<std::uint16_t> psk_selected_identity;
  // The last byte of a downgrade sentinel ending random (RFC 8446 §4.1.3): 1 = TLS 1.2,
  // 0 = TLS 1.1 or below; nullopt when random does not end with one.
  std::optional<std::uint8_t> downgrade_sentinel;
  std::vector<std::uint16_t> extensions;
};

struct WireObservation {
  DirectionObservation client_to_server;
  DirectionObservation server_to_client;
  std::vector<ClientHelloObservation> client_hellos;  // two after a HelloRetryRequest
  std::vector<ServerHelloObservation> server_hellos;  // HelloRetryRequest first, if any
  // TLS 1.2 ECDHE only: the named curve of the plaintext ServerKeyExchange (RFC 8422 §5.4).
  std::optional<std::uint16_t> server_key_exchange_group;

  // Summary, from the last ServerHello (and the ServerKeyExchange in TLS 1.2).
  bool hello_retry_request = false;
  std::optional<std::uint16_t> version;
  std::optional<std::uint16_t> cipher_suite;
  std::optional<std::uint16_t> group;
  bool psk_accepted = false;  // the ServerHello carries pre_shared_key
  // Anything malformed, truncated or out of place, each prefixed with its direction.
  std::vector<std::string> notes;
};

}  // namespace tlsmatrix
