// What one endpoint observed of its handshake, in stack-neutral terms. A peer reports it as
// the "result" event of peers/PROTOCOL.md; the runner classifies cells from two of them plus
// what it saw on the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tlsmatrix {

// How far the endpoint got; the first stage that failed is where it stopped.
enum class Stage { configure, connect, handshake, application_data, done };

struct Alert {
  std::uint8_t code = 0;
  std::string name;  // RFC 8446 §6 name
  bool fatal = true;
};

struct PeerCertificate {
  std::string subject;
  std::string issuer;
  std::string public_key;  // e.g. "ECDSA P-256", "RSA 2048"
};

// A configuration the peer cannot honour (protocol 2): it says so instead of running
// something else. The runner makes the cell `unsupported`, naming the setting.
struct ConfigRefusal {
  std::string setting;  // the endpoint configuration key, e.g. "key_shares"
  std::string reason;   // why, in the library's terms
};

struct HandshakeOutcome {
  std::string role;
  Stage stage = Stage::configure;
  bool handshake_ok = false;
  // Set (with stage `configure`) when the peer refused its configuration.
  std::optional<ConfigRefusal> refused;
  // A blocking step ran out of `timeout_ms`: the library stalled, waiting for the other side.
  // A stall is never a refusal.
  bool timed_out = false;
  std::optional<std::string> version;  // "TLSv1.3"
  std::optional<std::uint16_t> cipher_suite;
  std::optional<std::uint16_t> group;  // IANA code of the key exchange group
  // Whether a HelloRetryRequest happened, where the library can tell.
  std::optional<bool> hello_retry_request;
  // A PSK was accepted: an external one, or a resumed session's (RFC 8446 §2.2).
  bool psk_used = false;
  // The library says this handshake resumed a session; null where the API cannot tell.
  std::optional<bool> resumed;
  std::optional<std::string> psk_mode;  // "psk_ke" or "psk_dhe_ke" when psk_used
  // The identity's bytes of the PSK in use, where the library can tell.
  std::optional<std::string> psk_identity;
  std::optional<PeerCertificate> peer_certificate;
  std::optional<Alert> alert_sent;
  std::optional<Alert> alert_received;
  std::string error;  // the library's own error text, verbatim
  std::size_t app_data_sent = 0;
  std::size_t app_data_received = 0;
  bool app_data_verified = false;
  std::vector<std::string> keylog;  // SSLKEYLOGFILE lines, when asked for
  double handshake_ms = 0;
  // NewSessionTicket messages the client read, where the library can tell.
  std::optional<int> tickets_received;
};

const char* stage_name(Stage stage);

}  // namespace tlsmatrix
