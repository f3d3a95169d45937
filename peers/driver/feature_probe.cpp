#include "feature_probe.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "observation_queries.hpp"
#include "probe_configs.hpp"
#include "test_pki.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::probe {
namespace {

// The first two items of `table` (in registry order) that both roles can require.
template <typename Known>
std::vector<std::string> two_required(const ItemTable& table, Known known, bool tls13_only) {
  std::vector<std::string> out;
  for (const auto& info : known) {
    if constexpr (requires { info.tls13; })
      if (tls13_only && !info.tls13) continue;
    const auto it = table.find(std::string(info.name));
    if (it == table.end()) continue;
    const auto& s = it->second;
    if (s.client && s.client->require && s.server && s.server->require) out.emplace_back(info.name);
    if (out.size() == 2) break;
  }
  return out;
}

std::vector<std::uint16_t> codes(const std::vector<std::string>& groups) {
  std::vector<std::uint16_t> out;
  for (const auto& g : groups) out.push_back(group_by_name(g)->code);
  return out;
}

std::vector<std::uint16_t> first_groups(const MemoryHandshake& hs) {
  return hs.wire.client_hellos.empty() ? std::vector<std::uint16_t>{}
                                       : hs.wire.client_hellos.front().supported_groups;
}

ConfigPair tls13_pair() {
  auto pair = ecdsa_pair();
  pin_version(pair, "TLSv1.3");
  return pair;
}

ConfigPair with_groups(std::vector<std::string> client, std::vector<std::string> server,
                       std::optional<std::vector<std::string>> key_shares = std::nullopt) {
  auto pair = tls13_pair();
  pair.client.groups = std::move(client);
  pair.server.groups = std::move(server);
  pair.client.key_shares = std::move(key_shares);
  return pair;
}

// A client sending exactly `shares` with its groups, in a handshake that completes.
bool sent_exactly(const MemoryHandshake& hs, const std::vector<std::string>& groups,
                  const std::vector<std::string>& shares) {
  return hs.completed() && first_groups(hs) == codes(groups) &&
         first_key_share_groups(hs.wire) == codes(shares);
}

// RFC 7507 §6: the code point a client puts among its cipher suites when it falls back.
constexpr std::uint16_t kTlsFallbackScsv = 0x5600;

// Whether the client's first ClientHello, as read off the wire, lists TLS_FALLBACK_SCSV.
bool offers_fallback_scsv(const MemoryHandshake& hs) {
  if (hs.wire.client_hellos.empty()) return false;
  const auto& suites = hs.wire.client_hellos.front().cipher_suites;
  return std::find(suites.begin(), suites.end(), kTlsFallbackScsv) != suites.end();
}

// Both sides report the HelloRetryRequest the wire shows, or its absence.
bool reports_hrr(const MemoryHandshake& hs) {
  return hs.completed() && hs.client.hello_retry_request == hs.wire.hello_retry_request &&
         hs.server.hello_retry_request == hs.wire.hello_retry_request;
}

}  // namespace

HandshakePlan plan_endpoint_features() {
  HandshakePlan plan;
  for (const bool on : {true, false}) {
    auto pair = ecdsa_pair();
    pair.client.session_tickets = pair.server.session_tickets = on;
    plan.pairs.push_back(pair);
  }
  auto keylog = ecdsa_pair();
  keylog.client.keylog = keylog.server.keylog = true;
  plan.pairs.push_back(keylog);
  for (const char* name : {test_pki::kServerName, "other.tlsmatrix.test"}) {
    auto pair = ecdsa_pair();
    pair.client.verify_server = true;
    pair.client.trust_anchors_pem = test_pki::roots();
    pair.client.server_name = name;
    plan.pairs.push_back(pair);
  }
  for (const bool present : {true, false}) {
    auto pair = ecdsa_pair();
    pair.server.require_client_certificate = true;
    pair.server.trust_anchors_pem = test_pki::roots();
    if (present) pair.client.certificate = test_pki::client_ecdsa();
    plan.pairs.push_back(pair);
  }
  for (const bool on : {true, false}) {
    auto pair = ecdsa_pair();
    pair.client.fallback_scsv = on;
    plan.pairs.push_back(pair);
  }

  plan.read = [](std::span<const MemoryHandshake> r, Capabilities& caps) {
    // Tickets arrive when asked for and only then, as the client's library counts them.
    if (r[0].completed() && r[0].client.tickets_received > 0 && r[1].completed() &&
        r[1].client.tickets_received == 0)
      caps.features.insert(Feature::session_tickets);
    if (r[2].completed() && !r[2].client.keylog.empty() && !r[2].server.keylog.empty())
      caps.features.insert(Feature::keylog);
    // The right name completes, a wrong one fails on the client, with the chain trusted.
    if (r[3].completed() && !r[4].client.handshake_ok)
      caps.features.insert(Feature::hostname_verification);
    // A required certificate: presented, the server completes and names it; missing, it fails.
    if (r[5].completed() && r[5].server.peer_certificate && !r[6].server.handshake_ok)
      caps.features.insert(Feature::client_certificates);
    // The SCSV goes out when asked for and only then; a completed handshake without it shows
    // that the control's ClientHello was seen.
    if (offers_fallback_scsv(r[7]) && r[8].completed() && !offers_fallback_scsv(r[8]))
      caps.features.insert(Feature::fallback_scsv);
  };
  return plan;
}

HandshakePlan plan_negotiation_features(const Capabilities& caps) {
  HandshakePlan plan;
  const auto groups = two_required(caps.groups, known_groups(), false);
  const auto suites = two_required(caps.cipher_suites, known_cipher_suites(), true);
  if (groups.size() == 2) {
    const auto& a = groups[0];
    const auto& b = groups[1];
    plan.pairs.push_back(with_groups({a, b}, {a, b}, std::vector{a}));     // 0 first group
    plan.pairs.push_back(with_groups({a, b}, {a, b}, std::vector{b}));     // 1 selection
    plan.pairs.push_back(with_groups({a, b}, {a, b}, std::vector{a, b}));  // 2 selection
    // 3, 4: each order on the client; the server picks by its own opposite order.
    for (const auto& [client, server] : {std::pair{std::vector{a, b}, std::vector{b, a}},
                                         std::pair{std::vector{b, a}, std::vector{a, b}}}) {
      auto pair = with_groups(client, server);
      pair.server.server_preference = true;
      plan.pairs.push_back(pair);
    }
    plan.pairs.push_back(with_groups({a, b}, {b}));  // 5 a HelloRetryRequest, if a got the share
    plan.pairs.push_back(with_groups({a, b}, {a}));  // 6 none
  }
  if (suites.size() == 2) {
    // 7, 8: client order [A, B], server order [B, A], with and without server preference.
    for (const bool prefer_server : {true, false}) {
      auto pair = tls13_pair();
      pair.client.cipher_suites = {suites[0], suites[1]};
      pair.server.cipher_suites = {suites[1], suites[0]};
      pair.server.server_preference = prefer_server;
      plan.pairs.push_back(pair);
    }
  }

  plan.read = [groups, suites](std::span<const MemoryHandshake> r, Capabilities& out) {
    if (groups.size() == 2) {
      const auto& a = groups[0];
      const auto& b = groups[1];
      if (sent_exactly(r[0], {a, b}, {a})) out.features.insert(Feature::key_share_first_group);
      if (sent_exactly(r[1], {a, b}, {b}) && sent_exactly(r[2], {a, b}, {a, b}))
        out.features.insert(Feature::key_share_selection);
      const auto code = [](const std::string& g) { return group_by_name(g)->code; };
      if (r[3].completed() && first_groups(r[3]) == codes({a, b}) && r[3].wire.group == code(b) &&
          r[4].completed() && first_groups(r[4]) == codes({b, a}) && r[4].wire.group == code(a))
        out.features.insert(Feature::group_order);
      if (r[5].wire.hello_retry_request && reports_hrr(r[5]) && !r[6].wire.hello_retry_request &&
          reports_hrr(r[6]))
        out.features.insert(Feature::hello_retry_request_report);
    }
    if (suites.size() == 2) {
      const auto first = r.subspan(groups.size() == 2 ? 7 : 0);
      const auto code = [](const std::string& s) { return cipher_suite_by_name(s)->code; };
      if (first[0].completed() && first[0].wire.cipher_suite == code(suites[1]) &&
          first[1].completed() && first[1].wire.cipher_suite == code(suites[0]))
        out.features.insert(Feature::server_preference);
    }
  };
  return plan;
}

}  // namespace tlsmatrix::probe
