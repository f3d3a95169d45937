// The Credentials_Manager of one endpoint: its certificate chain and key, the trust anchors that
// verify the peer, the external PSKs, and a server's session ticket key.
#pragma once

#include <botan/certstor.h>
#include <botan/credentials_manager.h>
#include <botan/x509cert.h>

#include <memory>
#include <string>
#include <vector>

#include "endpoint_config.hpp"

namespace tlsmatrix::botan_adapter {

class EndpointCredentials final : public Botan::Credentials_Manager {
 public:
  // Throws ConfigRejected when the certificate, key, anchors or PSKs cannot be loaded.
  explicit EndpointCredentials(const EndpointConfig& config);

  std::vector<Botan::Certificate_Store*> trusted_certificate_authorities(
      const std::string& type, const std::string& context) override;
  std::vector<Botan::X509_Certificate> find_cert_chain(
      const std::vector<std::string>& cert_key_types,
      const std::vector<Botan::AlgorithmIdentifier>& cert_signature_schemes,
      const std::vector<Botan::X509_DN>& acceptable_CAs, const std::string& type,
      const std::string& context) override;
  std::shared_ptr<Botan::Private_Key> private_key_for(const Botan::X509_Certificate& cert,
                                                      const std::string& type,
                                                      const std::string& context) override;
  Botan::secure_vector<uint8_t> session_ticket_key() override { return ticket_key_; }
  std::string psk_identity(const std::string& type, const std::string& context,
                           const std::string& identity_hint) override;
  std::vector<Botan::TLS::ExternalPSK> find_preshared_keys(
      std::string_view host, Botan::TLS::Connection_Side whoami,
      const std::vector<std::string>& identities, const std::optional<std::string>& prf) override;

 private:
  struct Psk {
    std::string identity;
    std::string prf;  // Botan's hash name, "SHA-256"
    Botan::secure_vector<uint8_t> secret;
  };

  std::vector<Botan::X509_Certificate> chain_;
  std::shared_ptr<Botan::Private_Key> key_;
  Botan::Certificate_Store_In_Memory anchors_;
  bool have_anchors_ = false;
  std::vector<Psk> psks_;
  Botan::secure_vector<uint8_t> ticket_key_;  // empty: Botan issues no stateless tickets
};

}  // namespace tlsmatrix::botan_adapter
