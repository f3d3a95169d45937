#include "botan_credentials.hpp"

#include <botan/auto_rng.h>
#include <botan/data_src.h>
#include <botan/hex.h>
#include <botan/pkcs8.h>
#include <botan/tls_external_psk.h>
#include <fmt/format.h>

#include <algorithm>

#include "stack_adapter.hpp"

namespace tlsmatrix::botan_adapter {
namespace {

// Each "-----BEGIN CERTIFICATE-----" block of `pem`, in order.
std::vector<Botan::X509_Certificate> certificates_in(const std::string& pem, const char* setting) {
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<Botan::X509_Certificate> out;
  std::size_t at = 0;
  while ((at = pem.find("-----BEGIN CERTIFICATE-----", at)) != std::string::npos) {
    const std::size_t end = pem.find(kEnd, at);
    if (end == std::string::npos) throw ConfigRejected(setting, "unterminated PEM certificate");
    try {
      Botan::DataSource_Memory source(std::string_view(pem).substr(at, end + kEnd.size() - at));
      out.emplace_back(source);
    } catch (const std::exception& e) {
      throw ConfigRejected(setting, e.what());
    }
    at = end + kEnd.size();
  }
  return out;
}

// RFC 8446 names the hash "SHA256"; Botan names it "SHA-256".
std::string botan_hash(const std::string& hash) {
  if (hash == "SHA256") return "SHA-256";
  if (hash == "SHA384") return "SHA-384";
  throw ConfigRejected("psks", fmt::format("no TLS 1.3 cipher suite uses the hash {}", hash));
}

}  // namespace

EndpointCredentials::EndpointCredentials(const EndpointConfig& config) {
  if (config.certificate) {
    chain_ = certificates_in(config.certificate->chain_pem, "certificate");
    if (chain_.empty()) throw ConfigRejected("certificate", "no certificate in the chain");
    try {
      Botan::DataSource_Memory source(config.certificate->key_pem);
      key_ = Botan::PKCS8::load_key(source);
    } catch (const std::exception& e) {
      throw ConfigRejected("certificate", fmt::format("loading the key: {}", e.what()));
    }
  }
  for (const auto& anchor : certificates_in(config.trust_anchors_pem, "trust_anchors_pem")) {
    anchors_.add_certificate(anchor);
    have_anchors_ = true;
  }
  for (const auto& psk : config.psks) {
    Botan::secure_vector<uint8_t> secret;
    try {
      secret = Botan::hex_decode_locked(psk.secret_hex);
    } catch (const std::exception& e) {
      throw ConfigRejected("psks", e.what());
    }
    psks_.push_back({psk.identity, botan_hash(psk.hash), std::move(secret)});
  }
  // One key for every connection of the endpoint, so a ticket resumes on the next one.
  if (config.role == Role::server && config.session_tickets) {
    Botan::AutoSeeded_RNG rng;
    ticket_key_ = rng.random_vec(32);
  }
}

std::vector<Botan::Certificate_Store*> EndpointCredentials::trusted_certificate_authorities(
    const std::string& /*type*/, const std::string& /*context*/) {
  if (!have_anchors_) return {};
  return {&anchors_};
}

std::vector<Botan::X509_Certificate> EndpointCredentials::find_cert_chain(
    const std::vector<std::string>& cert_key_types,
    const std::vector<Botan::AlgorithmIdentifier>& /*cert_signature_schemes*/,
    const std::vector<Botan::X509_DN>& /*acceptable_CAs*/, const std::string& /*type*/,
    const std::string& /*context*/) {
  if (chain_.empty()) return {};
  // The chain is presented whenever its key type fits, whichever CAs the peer named.
  const std::string key_type = key_->algo_name();
  if (!cert_key_types.empty() &&
      std::find(cert_key_types.begin(), cert_key_types.end(), key_type) == cert_key_types.end())
    return {};
  return chain_;
}

std::shared_ptr<Botan::Private_Key> EndpointCredentials::private_key_for(
    const Botan::X509_Certificate& cert, const std::string& /*type*/,
    const std::string& /*context*/) {
  if (chain_.empty() || cert != chain_.front()) return nullptr;
  return key_;
}

std::string EndpointCredentials::psk_identity(const std::string& /*type*/,
                                              const std::string& /*context*/,
                                              const std::string& /*identity_hint*/) {
  // TLS 1.2 PSK suites carry one identity: the first configured.
  if (psks_.empty()) return {};
  return psks_.front().identity;
}

std::vector<Botan::TLS::ExternalPSK> EndpointCredentials::find_preshared_keys(
    std::string_view /*host*/, Botan::TLS::Connection_Side /*whoami*/,
    const std::vector<std::string>& identities, const std::optional<std::string>& prf) {
  std::vector<Botan::TLS::ExternalPSK> out;
  for (const auto& psk : psks_) {
    if (!identities.empty() &&
        std::find(identities.begin(), identities.end(), psk.identity) == identities.end())
      continue;
    if (prf && *prf != psk.prf) continue;
    out.emplace_back(psk.identity, psk.prf, psk.secret);
  }
  return out;
}

}  // namespace tlsmatrix::botan_adapter
