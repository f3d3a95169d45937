// The TLS::Policy of one endpoint: versions, groups, key shares, cipher suites, server preference,
// tickets, client certificates and key logging, all decided in configure() from its
// EndpointConfig.
#pragma once

#include <botan/tls_policy.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "endpoint_config.hpp"

namespace tlsmatrix::botan_adapter {

class EndpointPolicy final : public Botan::TLS::Policy {
 public:
  // Throws ConfigRejected for what Botan cannot do exactly as `config` asks.
  explicit EndpointPolicy(const EndpointConfig& config);

  bool allow_tls12() const override { return allow_tls12_; }
  bool allow_tls13() const override { return allow_tls13_; }
  std::vector<Botan::TLS::Group_Params> key_exchange_groups() const override;
  std::vector<Botan::TLS::Group_Params> key_exchange_groups_to_offer() const override;
  std::vector<std::uint16_t> ciphersuite_list(Botan::TLS::Protocol_Version version) const override;
  bool acceptable_ciphersuite(const Botan::TLS::Ciphersuite& suite) const override;
  bool server_uses_own_ciphersuite_preferences() const override;
  std::size_t new_session_tickets_upon_handshake_success() const override;
  bool require_client_certificate_authentication() const override;
  bool request_client_certificate_authentication() const override;
  bool allow_ssl_key_log_file() const override { return keylog_; }
  // Verification means the chain up to trust_anchors_pem, as for every other stack; the
  // endpoints carry no OCSP or CRL data, which Botan's default would demand.
  bool require_cert_revocation_info() const override { return false; }

 private:
  bool allow_tls12_ = true;
  bool allow_tls13_ = true;
  std::vector<Botan::TLS::Group_Params> groups_;  // empty: Botan's default
  std::optional<std::vector<Botan::TLS::Group_Params>> key_shares_;
  std::vector<std::uint16_t> suites_;  // empty: Botan's default
  std::optional<bool> server_preference_;
  bool session_tickets_ = false;
  bool require_client_certificate_ = false;
  bool keylog_ = false;
};

}  // namespace tlsmatrix::botan_adapter

namespace tlsmatrix::botan_adapter {

// Refuses the settings Botan 3 has no mechanism for at all: PSK modes other than psk_dhe_ke,
// RFC 8773 certificates with an external PSK, and TLS_FALLBACK_SCSV on a client.
void reject_missing_features(const EndpointConfig& config);

}  // namespace tlsmatrix::botan_adapter
