// The TLS::Callbacks of one connection: Botan's only way to hand out records, alerts, the
// negotiated parameters and key log lines, and to ask for bytes to be sent. What they report is
// kept in ConnectionEvents for describe().
#pragma once

#include <botan/tls_callbacks.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "outcome.hpp"

namespace tlsmatrix::botan_adapter {

// What Botan told us about one connection.
struct ConnectionEvents {
  std::string app_data;  // received, not yet read
  bool peer_closed = false;
  bool transport_failed = false;  // writing to the socket failed or stalled
  std::optional<Alert> alert_received;
  // Set by tls_session_established().
  bool established = false;
  std::optional<std::uint16_t> version;
  std::optional<std::uint16_t> cipher_suite;
  std::optional<std::uint16_t> group;
  bool resumed = false;
  std::optional<std::string> external_psk_identity;
  std::optional<PeerCertificate> peer_certificate;
  // The group of the last (EC)DH key agreement: the TLS 1.2 group, which the session summary
  // does not name.
  std::optional<std::uint16_t> key_agreement_group;
  bool hello_retry_request = false;
  int tickets_received = 0;
  std::vector<std::string> keylog;
};

class ConnectionCallbacks final : public Botan::TLS::Callbacks {
 public:
  ConnectionCallbacks(const EndpointConfig& config, int fd) : config_(config), fd_(fd) {}

  ConnectionEvents& events() { return events_; }
  const ConnectionEvents& events() const { return events_; }

  void tls_emit_data(std::span<const uint8_t> data) override;
  void tls_record_received(uint64_t seq_no, std::span<const uint8_t> data) override;
  void tls_alert(Botan::TLS::Alert alert) override;
  void tls_session_established(const Botan::TLS::Session_Summary& session) override;
  void tls_verify_cert_chain(
      const std::vector<Botan::X509_Certificate>& cert_chain,
      const std::vector<std::optional<Botan::OCSP::Response>>& ocsp_responses,
      const std::vector<Botan::Certificate_Store*>& trusted_roots, Botan::Usage_Type usage,
      std::string_view hostname, const Botan::TLS::Policy& policy) override;
  Botan::secure_vector<uint8_t> tls_ephemeral_key_agreement(
      const std::variant<Botan::TLS::Group_Params, Botan::DL_Group>& group,
      const Botan::PK_Key_Agreement_Key& private_key, const std::vector<uint8_t>& public_value,
      Botan::RandomNumberGenerator& rng, const Botan::TLS::Policy& policy) override;
  void tls_inspect_handshake_msg(const Botan::TLS::Handshake_Message& message) override;
  void tls_examine_extensions(const Botan::TLS::Extensions& extensions,
                              Botan::TLS::Connection_Side which_side,
                              Botan::TLS::Handshake_Type which_message) override;
  void tls_ssl_key_log_data(std::string_view label, std::span<const uint8_t> client_random,
                            std::span<const uint8_t> secret) const override;

 private:
  const EndpointConfig& config_;
  int fd_;
  // Mutable for tls_ssl_key_log_data(), which Botan declares const.
  mutable ConnectionEvents events_;
};

}  // namespace tlsmatrix::botan_adapter
