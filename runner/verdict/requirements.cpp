#include "requirements.hpp"

#include <algorithm>

namespace tlsmatrix {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void need(std::vector<std::string>& missing, const std::vector<std::string>& have,
          const std::string& kind, const std::string& item) {
  const auto label = kind + " " + item;
  if (!contains(have, item) && !contains(missing, label)) missing.push_back(label);
}

}  // namespace

std::vector<std::string> missing_capabilities(const EndpointConfig& config,
                                              const Capabilities& caps,
                                              const std::vector<std::string>& extra_features) {
  std::vector<std::string> missing;
  need(missing, caps.versions, "version", config.min_version);
  need(missing, caps.versions, "version", config.max_version);
  for (const auto& g : config.groups) need(missing, caps.groups, "group", g);
  if (config.key_shares) {
    // A share for just the first group is within reach of stacks that cannot pick any set.
    const auto& shares = *config.key_shares;
    const bool first_group_only =
        shares.size() == 1 && !config.groups.empty() && shares[0] == config.groups[0];
    if (!(first_group_only && contains(caps.features, "key_share_first_group")))
      need(missing, caps.features, "feature", "key_share_selection");
    for (const auto& g : *config.key_shares) need(missing, caps.groups, "group", g);
  }
  for (const auto& c : config.cipher_suites) need(missing, caps.cipher_suites, "cipher suite", c);
  if (config.server_preference) need(missing, caps.features, "feature", "server_preference");
  if (config.psk) {
    need(missing, caps.features, "feature", "external_psk");
    for (const auto& m : config.psk->modes) need(missing, caps.psk_modes, "PSK mode", m);
    if (config.certificate && config.role == Role::server)
      need(missing, caps.features, "feature", "cert_with_extern_psk");
  }
  if (config.session_tickets) need(missing, caps.features, "feature", "session_tickets");
  if (config.keylog) need(missing, caps.features, "feature", "keylog");
  if (config.require_client_certificate || (config.role == Role::client && config.certificate))
    need(missing, caps.features, "feature", "client_certificates");
  for (const auto& f : extra_features) need(missing, caps.features, "feature", f);
  return missing;
}

}  // namespace tlsmatrix
