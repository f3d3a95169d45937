#include "requirements.hpp"

#include <algorithm>

namespace tlsmatrix {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void add(std::vector<std::string>& missing, const std::string& label) {
  if (!contains(missing, label)) missing.push_back(label);
}

void need(std::vector<std::string>& missing, const ItemTable& have, Role role,
          const std::string& kind, const std::string& item) {
  const auto it = have.find(item);
  if (it == have.end() || !it->second.in(role) || !it->second.in(role)->require)
    add(missing, kind + " " + item);
}

void need(std::vector<std::string>& missing, const Capabilities& caps, const std::string& feature) {
  const auto f = feature_from_name(feature);
  if (!f || !caps.has(*f)) add(missing, "feature " + feature);
}

bool contains_set(const std::vector<std::vector<std::string>>& sets,
                  const std::vector<std::string>& set) {
  return std::find(sets.begin(), sets.end(), set) != sets.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "+") + i;
  return out;
}

}  // namespace

std::vector<std::string> missing_capabilities(const EndpointConfig& config,
                                              const Capabilities& caps,
                                              const std::vector<std::string>& extra_features) {
  std::vector<std::string> missing;
  need(missing, caps.versions, config.role, "version", config.min_version);
  need(missing, caps.versions, config.role, "version", config.max_version);
  for (const auto& g : config.groups) need(missing, caps.groups, config.role, "group", g);
  if (config.key_shares) {
    // A share for just the first group is within reach of stacks that cannot pick any set.
    const auto& shares = *config.key_shares;
    const bool first_group_only =
        shares.size() == 1 && !config.groups.empty() && shares[0] == config.groups[0];
    if (!(first_group_only && caps.has(Feature::key_share_first_group)))
      need(missing, caps, "key_share_selection");
    for (const auto& g : *config.key_shares) need(missing, caps.groups, config.role, "group", g);
  }
  for (const auto& c : config.cipher_suites)
    need(missing, caps.cipher_suites, config.role, "cipher suite", c);
  if (config.server_preference) need(missing, caps, "server_preference");
  if (config.psk) {
    need(missing, caps, "external_psk");
    auto modes = config.psk->modes;
    std::sort(modes.begin(), modes.end());
    const auto& sets =
        config.role == Role::client ? caps.psk.client_mode_sets : caps.psk.server_mode_sets;
    if (!contains_set(sets, modes)) add(missing, "PSK modes " + join(config.psk->modes));
    if (config.certificate && config.role == Role::server)
      need(missing, caps, "cert_with_extern_psk");
  }
  if (config.session_tickets) need(missing, caps, "session_tickets");
  if (config.keylog) need(missing, caps, "keylog");
  if (config.require_client_certificate || (config.role == Role::client && config.certificate))
    need(missing, caps, "client_certificates");
  for (const auto& f : extra_features) need(missing, caps, f);
  return missing;
}

}  // namespace tlsmatrix
