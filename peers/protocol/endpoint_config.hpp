// The stack-neutral description of one TLS endpoint: everything a scenario can ask of a client
// or a server. It travels to a peer as the JSON "config" object of peers/PROTOCOL.md; the
// field table in endpoint_fields.hpp is the single place that maps JSON keys to members.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tlsmatrix {

enum class Role { client, server };

// One external PSK (RFC 8446 §4.2.11) as a key-management system hands it out.
struct ExternalPsk {
  std::string identity;         // the identity's bytes; may be binary (JSON `identity_hex`)
  std::string secret_hex;       // the key, hex encoded
  std::string hash = "SHA256";  // RFC 8446 §4.2.11: the hash the PSK is bound to
  bool operator==(const ExternalPsk&) const = default;
};

struct CertifiedKey {
  std::string chain_pem;  // leaf first, then intermediates
  std::string key_pem;
};

struct EndpointConfig {
  Role role = Role::client;
  std::string min_version = "TLSv1.2";
  std::string max_version = "TLSv1.3";
  // Supported groups in preference order; empty means the library's default.
  std::vector<std::string> groups;
  // Client only: the groups that get a key share in the first ClientHello; unset means the
  // library's default choice.
  std::optional<std::vector<std::string>> key_shares;
  // IANA cipher suite names of both TLS 1.3 and TLS 1.2; empty means the library's default.
  std::vector<std::string> cipher_suites;
  // Server only: choose by the server's own order (true) or the client's (false); unset
  // leaves the library's default.
  std::optional<bool> server_preference;
  // Client only: include TLS_FALLBACK_SCSV (0x5600) in cipher_suites, as a client retrying with
  // a lower version does (RFC 7507 §4), so a server that supports a higher one aborts.
  bool fallback_scsv = false;
  std::optional<CertifiedKey> certificate;
  std::string trust_anchors_pem;            // empty: nothing is trusted
  bool verify_server = true;                // client: verify the server's chain (and name)
  bool require_client_certificate = false;  // server: request and verify a client certificate
  std::string server_name;                  // client: SNI and the name the certificate must match
  // External PSKs: a client offers all of them, in this order, in one ClientHello; a server
  // knows all of them. Empty: no external PSK.
  std::vector<ExternalPsk> psks;
  // psk_key_exchange_modes (RFC 8446 §4.2.9), "psk_ke" / "psk_dhe_ke": what a client offers,
  // what a server accepts. Unset leaves the library's default, which is what the defaults
  // scenarios measure.
  std::optional<std::vector<std::string>> psk_modes;
  // RFC 9973 (formerly RFC 8773) tls_cert_with_extern_psk: certificate authentication together
  // with an external PSK and (EC)DHE. Client: offer the extension; server: accept it.
  bool cert_with_extern_psk = false;
  bool session_tickets = false;
  // Connections in the cell, one after the other (resumption): a server accepts this many on
  // its one listening socket with one library context; a client makes this many and offers,
  // from the second on, the session its previous connection received.
  int connections = 1;
  bool keylog = false;
  // Application data each side sends after the handshake and the data it must receive.
  std::string send_data;
  std::string expect_data;
  std::uint32_t timeout_ms = 10000;
  // Client only: where to connect (always a loopback address).
  std::string connect_host = "127.0.0.1";
  std::uint16_t connect_port = 0;
};

// The most connections one cell may ask for (`connections`).
inline constexpr int kMaxConnections = 8;

const char* role_name(Role role);

}  // namespace tlsmatrix
