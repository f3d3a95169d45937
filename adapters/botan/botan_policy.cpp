#include "botan_policy.hpp"

#include <botan/tls_ciphersuite.h>
#include <botan/version.h>
#include <fmt/format.h>

#include <algorithm>

#include "botan_names.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::botan_adapter {
namespace {

using Botan::TLS::Group_Params;
using Botan::TLS::Protocol_Version;

std::uint16_t version_code_or_reject(const char* setting, const std::string& name) {
  const auto code = registry_version_code(name);
  if (!code) throw ConfigRejected(setting, fmt::format("unknown version {}", name));
  if (!library_version_of(name))
    throw ConfigRejected(setting,
                         fmt::format("Botan 3 implements TLS 1.2 and 1.3 only, not {}", name));
  return *code;
}

std::vector<Group_Params> groups_or_reject(const char* setting,
                                           const std::vector<std::string>& names) {
  std::vector<Group_Params> out;
  for (const auto& name : names) {
    const auto group = library_group(name);
    if (!group)
      throw ConfigRejected(setting, fmt::format("Botan {} does not implement the group {}",
                                                Botan::short_version_string(), name));
    out.push_back(*group);
  }
  return out;
}

}  // namespace

EndpointPolicy::EndpointPolicy(const EndpointConfig& config)
    : server_preference_(config.server_preference),
      session_tickets_(config.session_tickets),
      require_client_certificate_(config.require_client_certificate),
      keylog_(config.keylog) {
  const std::uint16_t min = version_code_or_reject("min_version", config.min_version);
  const std::uint16_t max = version_code_or_reject("max_version", config.max_version);
  if (min > max) throw ConfigRejected("min_version", "above max_version");
  const std::uint16_t tls12 = Protocol_Version(Protocol_Version::TLS_V12).version_code();
  const std::uint16_t tls13 = Protocol_Version(Protocol_Version::TLS_V13).version_code();
  allow_tls12_ = min <= tls12 && tls12 <= max;
  allow_tls13_ = max >= tls13;

  groups_ = groups_or_reject("groups", config.groups);
  if (config.key_shares) {
    auto shares = groups_or_reject("key_shares", *config.key_shares);
    const auto supported = key_exchange_groups();
    for (const auto& share : shares)
      if (std::find(supported.begin(), supported.end(), share) == supported.end())
        throw ConfigRejected("key_shares",
                             "Botan sends key shares only for groups it also lists as supported");
    key_shares_ = std::move(shares);
  }

  for (const auto& name : config.cipher_suites) {
    const auto suite = library_suite(name);
    if (!suite)
      throw ConfigRejected("cipher_suites", fmt::format("Botan {} does not implement {}",
                                                        Botan::short_version_string(), name));
    suites_.push_back(suite->ciphersuite_code());
  }
}

std::vector<Group_Params> EndpointPolicy::key_exchange_groups() const {
  return groups_.empty() ? Policy::key_exchange_groups() : groups_;
}

std::vector<Group_Params> EndpointPolicy::key_exchange_groups_to_offer() const {
  return key_shares_ ? *key_shares_ : Policy::key_exchange_groups_to_offer();
}

std::vector<std::uint16_t> EndpointPolicy::ciphersuite_list(Protocol_Version version) const {
  if (suites_.empty()) return Policy::ciphersuite_list(version);
  // The configured order is the preference order, whichever side decides.
  std::vector<std::uint16_t> out;
  for (const std::uint16_t code : suites_) {
    const auto suite = Botan::TLS::Ciphersuite::by_id(code);
    if (suite && suite->usable_in_version(version)) out.push_back(code);
  }
  return out;
}

bool EndpointPolicy::acceptable_ciphersuite(const Botan::TLS::Ciphersuite& suite) const {
  if (suites_.empty()) return Policy::acceptable_ciphersuite(suite);
  return std::find(suites_.begin(), suites_.end(), suite.ciphersuite_code()) != suites_.end();
}

bool EndpointPolicy::server_uses_own_ciphersuite_preferences() const {
  return server_preference_.value_or(Policy::server_uses_own_ciphersuite_preferences());
}

std::size_t EndpointPolicy::new_session_tickets_upon_handshake_success() const {
  return session_tickets_ ? Policy::new_session_tickets_upon_handshake_success() : 0;
}

bool EndpointPolicy::require_client_certificate_authentication() const {
  return require_client_certificate_;
}

bool EndpointPolicy::request_client_certificate_authentication() const {
  return require_client_certificate_;
}

}  // namespace tlsmatrix::botan_adapter

namespace tlsmatrix::botan_adapter {

void reject_missing_features(const EndpointConfig& config) {
  // Botan's TLS 1.3 client offers psk_dhe_ke alone and its server accepts nothing else
  // (msg_client_hello_13.cpp, tls_server_impl_13.cpp: "TODO: Implement other PSK KE modes").
  if (config.psk_modes) {
    const auto& modes = *config.psk_modes;
    const bool only_dhe = modes.size() == 1 && modes.front() == "psk_dhe_ke";
    const bool offers_psk = !config.psks.empty() || config.session_tickets;
    if (!only_dhe && (offers_psk || !modes.empty()))
      throw ConfigRejected("psk_modes",
                           "Botan 3 implements only psk_dhe_ke (no psk_ke, and it "
                           "always offers psk_dhe_ke with a PSK)");
  }
  if (config.cert_with_extern_psk)
    throw ConfigRejected("cert_with_extern_psk",
                         "Botan 3 does not implement tls_cert_with_extern_psk (RFC 8773)");
  if (config.fallback_scsv)
    throw ConfigRejected("fallback_scsv", "Botan 3's client has no way to send TLS_FALLBACK_SCSV");
}

}  // namespace tlsmatrix::botan_adapter
