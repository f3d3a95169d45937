#include "requirements.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>

#include "tls_registry.hpp"

namespace tlsmatrix {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

class Obstacles {
 public:
  void add(std::string phrase) {
    if (!contains(list_, phrase)) list_.push_back(std::move(phrase));
  }
  void need(const Capabilities& caps, Feature feature) {
    if (!caps.has(feature)) add(fmt::format("lacks feature {}", feature_name(feature)));
  }
  std::vector<std::string> take() { return std::move(list_); }

 private:
  std::vector<std::string> list_;
};

using Relevant = std::function<bool(const std::string&)>;

// A list setting restricts the role to exactly `listed`: each listed item must be enabled on
// request, and, when the list says anything, every other item the stack implements in that
// role must be possible to leave out, where it could come up in this cell (`relevant`).
void restrict_to(const ItemTable& table, Role role, const char* kind,
                 const std::vector<std::string>& listed, const Relevant& relevant,
                 Obstacles& obstacles) {
  for (const auto& item : listed) {
    const auto it = table.find(item);
    const auto* control =
        it == table.end() || !it->second.in(role) ? nullptr : &*it->second.in(role);
    if (!control)
      obstacles.add(fmt::format("lacks {} {}", kind, item));
    else if (!control->require)
      obstacles.add(fmt::format("cannot enable {} {}", kind, item));
  }
  if (listed.empty()) return;
  for (const auto& [item, support] : table)
    if (!contains(listed, item) && support.in(role) && !support.in(role)->exclude && relevant(item))
      obstacles.add(fmt::format("cannot exclude {} {}", kind, item));
}

// The versions from min_version to max_version: a peer enables exactly these.
std::vector<std::string> version_range(const EndpointConfig& config) {
  const auto min = version_by_name(config.min_version);
  const auto max = version_by_name(config.max_version);
  std::vector<std::string> range;
  for (const auto& v : known_versions())
    if (min && max && v.code >= min->code && v.code <= max->code) range.emplace_back(v.name);
  return range;
}

bool tls13_enabled(const EndpointConfig& config) {
  return contains(version_range(config), "TLSv1.3");
}

// A cipher suite belongs to TLS 1.3 or to the versions before it (RFC 8446 §B.4); it can only
// be offered or chosen when the endpoint enables a version it belongs to.
bool suite_usable(const std::string& suite, const EndpointConfig& config) {
  const auto info = cipher_suite_by_name(suite);
  if (!info) return false;
  const auto range = version_range(config);
  return std::any_of(range.begin(), range.end(),
                     [&](const auto& v) { return (v == "TLSv1.3") == info->tls13; });
}

// Whether the client may offer `item`: listed in its setting, or, with the setting empty
// (library default), implemented by it.
bool client_may_offer(const std::string& item, const std::vector<std::string>& listed,
                      const ItemTable& table) {
  if (!listed.empty()) return contains(listed, item);
  const auto it = table.find(item);
  return it != table.end() && it->second.client.has_value();
}

// External PSKs as RFC 8446 §4.2.11 has them: the modes (§4.2.9) and the hash each PSK is
// bound to are TLS 1.3 notions; a TLS 1.2 PSK is a cipher suite, checked with the others.
// Unset modes ask for nothing: the library's default is what such a cell measures.
void check_tls13_psk(const EndpointConfig& config, const Capabilities& caps, Obstacles& obstacles) {
  obstacles.need(caps, Feature::external_psk);
  const bool client = config.role == Role::client;
  if (config.psk_modes) {
    auto modes = *config.psk_modes;
    std::sort(modes.begin(), modes.end());
    const auto& sets = client ? caps.psk.client_mode_sets : caps.psk.server_mode_sets;
    if (std::find(sets.begin(), sets.end(), modes) == sets.end())
      obstacles.add(fmt::format("cannot {} exactly PSK modes {}", client ? "offer" : "accept",
                                fmt::join(modes, "+")));
  }
  for (const auto& psk : config.psks)
    if (!contains(caps.psk.hashes, psk.hash))
      obstacles.add(fmt::format("lacks PSK hash {}", psk.hash));
}

}  // namespace

std::vector<std::string> missing_capabilities(const EndpointConfig& config,
                                              const Capabilities& caps,
                                              const std::vector<Feature>& required_features,
                                              const Counterpart* client) {
  Obstacles obstacles;
  // A client's extra item shows on the wire whatever the server does; a server's only
  // matters when this cell's client may offer it.
  const bool judge_against_client = config.role == Role::server && client != nullptr;
  const Relevant any = [](const std::string&) { return true; };
  const Relevant client_version = [&](const std::string& v) {
    return contains(version_range(client->config), v);
  };
  const Relevant client_group = [&](const std::string& g) {
    return client_may_offer(g, client->config.groups, client->caps.groups);
  };
  const Relevant suite = [&](const std::string& c) {
    if (!suite_usable(c, config)) return false;
    return !judge_against_client ||
           (suite_usable(c, client->config) &&
            client_may_offer(c, client->config.cipher_suites, client->caps.cipher_suites));
  };
  restrict_to(caps.versions, config.role, "version", version_range(config),
              judge_against_client ? client_version : any, obstacles);
  restrict_to(caps.groups, config.role, "group", config.groups,
              judge_against_client ? client_group : any, obstacles);
  // Which key shares a client can send is not decided here: a client that cannot send
  // exactly the configured set refuses it when the cell runs (protocol 2, `refused`), so the
  // cell is `unsupported` for the reason the peer itself gives.
  if (config.key_shares)
    for (const auto& g : *config.key_shares)
      if (!caps.groups.count(g) || !caps.groups.at(g).in(config.role))
        obstacles.add(fmt::format("lacks group {}", g));
  restrict_to(caps.cipher_suites, config.role, "cipher suite", config.cipher_suites, suite,
              obstacles);
  if (config.server_preference) obstacles.need(caps, Feature::server_preference);
  if (!config.psks.empty() && tls13_enabled(config)) check_tls13_psk(config, caps, obstacles);
  if (config.cert_with_extern_psk) obstacles.need(caps, Feature::cert_with_extern_psk);
  if (config.session_tickets) obstacles.need(caps, Feature::session_tickets);
  if (config.keylog) obstacles.need(caps, Feature::keylog);
  if (config.fallback_scsv) obstacles.need(caps, Feature::fallback_scsv);
  if (config.require_client_certificate || (config.role == Role::client && config.certificate))
    obstacles.need(caps, Feature::client_certificates);
  for (const auto f : required_features) obstacles.need(caps, f);
  return obstacles.take();
}

}  // namespace tlsmatrix
