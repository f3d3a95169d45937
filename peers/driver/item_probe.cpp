#include "item_probe.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "observation_queries.hpp"
#include "probe_configs.hpp"
#include "test_pki.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::probe {
namespace {

struct Item {
  std::string name;
  std::uint16_t code;
  std::string family;
};

// One kind of item: how to list items in a configuration and where to see them on the wire.
struct Dimension {
  ItemTable Capabilities::*table;
  std::vector<Item> items;
  void (*configure)(EndpointConfig&, const std::vector<const Item*>&);
  std::vector<std::uint16_t> (*offered)(const ClientHelloObservation&);
  std::optional<std::uint16_t> (*negotiated)(const WireObservation&);
  ConfigPair (*pair_for)(const std::string& family);
};

ConfigPair tls13_pair(const std::string&) {
  auto pair = ecdsa_pair();
  pin_version(pair, "TLSv1.3");
  return pair;
}

ConfigPair any_version_pair(const std::string&) {
  return ecdsa_pair();
}

// TLS 1.2 suites need the credentials their key exchange authenticates with.
ConfigPair suite_pair(const std::string& family) {
  if (family == "tls13") return tls13_pair(family);
  auto pair = family == "rsa"   ? cert_pair(test_pki::server_rsa())
              : family == "psk" ? psk_pair(std::vector<std::string>{"psk_dhe_ke"})
                                : ecdsa_pair();
  pin_version(pair, "TLSv1.2");
  return pair;
}

std::string suite_family(const CipherSuiteInfo& suite) {
  const std::string_view name = suite.name;
  if (suite.tls13) return "tls13";
  if (name.find("_PSK_") != std::string_view::npos) return "psk";
  if (name.find("_RSA_") != std::string_view::npos) return "rsa";
  return "ecdsa";
}

std::vector<std::string> names(const std::vector<const Item*>& items) {
  std::vector<std::string> out;
  for (const auto* item : items) out.push_back(item->name);
  return out;
}

const std::vector<Dimension>& dimensions() {
  static const std::vector<Dimension> all = [] {
    Dimension versions{
        &Capabilities::versions,
        {},
        // A version list is the range from its lowest to its highest member.
        [](EndpointConfig& c, const std::vector<const Item*>& items) {
          const auto [lo, hi] = std::minmax_element(
              items.begin(), items.end(), [](auto* a, auto* b) { return a->code < b->code; });
          c.min_version = (*lo)->name;
          c.max_version = (*hi)->name;
        },
        // Without supported_versions a ClientHello offers its legacy_version (RFC 8446 §4.2.1).
        [](const ClientHelloObservation& ch) {
          return ch.supported_versions.empty() ? std::vector{ch.legacy_version}
                                               : ch.supported_versions;
        },
        [](const WireObservation& w) { return w.version; },
        any_version_pair};
    for (const auto& v : known_versions())
      versions.items.push_back({std::string(v.name), v.code, ""});

    Dimension groups{
        &Capabilities::groups,
        {},
        [](EndpointConfig& c, const std::vector<const Item*>& items) { c.groups = names(items); },
        [](const ClientHelloObservation& ch) { return ch.supported_groups; },
        [](const WireObservation& w) { return w.group; },
        tls13_pair};
    for (const auto& g : known_groups()) groups.items.push_back({std::string(g.name), g.code, ""});

    Dimension suites{&Capabilities::cipher_suites,
                     {},
                     [](EndpointConfig& c, const std::vector<const Item*>& items) {
                       c.cipher_suites = names(items);
                     },
                     [](const ClientHelloObservation& ch) { return ch.cipher_suites; },
                     [](const WireObservation& w) { return w.cipher_suite; },
                     suite_pair};
    for (const auto& s : known_cipher_suites())
      suites.items.push_back({std::string(s.name), s.code, suite_family(s)});
    return std::vector{versions, groups, suites};
  }();
  return all;
}

bool negotiated(const Dimension& d, const MemoryHandshake& hs, const Item& item) {
  return hs.completed() && d.negotiated(hs.wire) == item.code;
}

bool offered(const Dimension& d, const MemoryHandshake& hs, const Item& item) {
  if (hs.wire.client_hellos.empty()) return false;
  const auto codes = d.offered(hs.wire.client_hellos.front());
  return std::find(codes.begin(), codes.end(), item.code) != codes.end();
}

ConfigPair listing(const Dimension& d, const std::vector<const Item*>& client,
                   const std::vector<const Item*>& server, const std::string& family) {
  auto pair = d.pair_for(family);
  d.configure(pair.client, client);
  d.configure(pair.server, server);
  return pair;
}

// Client exclude for every present item, from the other items' require handshakes.
void read_client_excludes(const Dimension& d, std::span<const MemoryHandshake> required,
                          ItemTable& table) {
  for (std::size_t i = 0; i < d.items.size(); ++i) {
    const auto entry = table.find(d.items[i].name);
    if (entry == table.end() || !entry->second.client) continue;
    bool seen = false;
    bool kept_off = true;
    for (std::size_t k = 0; k < d.items.size(); ++k) {
      if (k == i || d.items[k].family != d.items[i].family) continue;
      if (required[k].wire.client_hellos.empty()) continue;
      seen = true;
      kept_off = kept_off && !offered(d, required[k], d.items[i]);
    }
    entry->second.client->exclude = seen && kept_off;
  }
}

void read_required(std::span<const MemoryHandshake> results, Capabilities& caps) {
  const auto& default_hs = results.front();
  for (const auto group : first_key_share_groups(default_hs.wire))
    caps.default_key_shares.push_back(group_name(group));
  std::sort(caps.default_key_shares.begin(), caps.default_key_shares.end());
  std::size_t offset = 1;
  for (const auto& d : dimensions()) {
    const auto required = results.subspan(offset, d.items.size());
    offset += d.items.size();
    auto& table = caps.*d.table;
    for (std::size_t i = 0; i < d.items.size(); ++i) {
      const auto& item = d.items[i];
      if (negotiated(d, required[i], item))
        table[item.name] = {ItemControl{true, false}, ItemControl{true, false}};
      else if (negotiated(d, default_hs, item))
        table[item.name] = {ItemControl{}, ItemControl{}};
    }
    read_client_excludes(d, required, table);
  }
}

// The fallback y for item x: the first other item of its family that can be required.
const Item* fallback(const Dimension& d, const Item& x, const ItemTable& table) {
  for (const auto& y : d.items) {
    if (y.code == x.code || y.family != x.family) continue;
    const auto it = table.find(y.name);
    if (it != table.end() && it->second.client && it->second.client->require && it->second.server &&
        it->second.server->require)
      return &y;
  }
  return nullptr;
}

}  // namespace

HandshakePlan plan_items_required() {
  HandshakePlan plan;
  plan.pairs.push_back(ecdsa_pair());
  for (const auto& d : dimensions())
    for (const auto& item : d.items)
      plan.pairs.push_back(listing(d, {&item}, {&item}, item.family));
  plan.read = read_required;
  return plan;
}

HandshakePlan plan_items_excluded(const Capabilities& caps) {
  struct Check {
    const Dimension* d;
    const Item* x;
    const Item* y;
  };
  auto checks = std::make_shared<std::vector<Check>>();
  HandshakePlan plan;
  for (const auto& d : dimensions()) {
    const auto& table = caps.*d.table;
    for (const auto& x : d.items) {
      const auto it = table.find(x.name);
      if (it == table.end() || !it->second.server) continue;
      const Item* y = fallback(d, x, table);
      if (y == nullptr) continue;
      checks->push_back({&d, &x, y});
      plan.pairs.push_back(listing(d, {&x, y}, {y}, x.family));
    }
  }
  plan.read = [checks](std::span<const MemoryHandshake> results, Capabilities& out) {
    for (std::size_t i = 0; i < checks->size(); ++i) {
      const auto& [d, x, y] = (*checks)[i];
      auto& server = (out.*d->table)[x->name].server;
      server->exclude = offered(*d, results[i], *x) && negotiated(*d, results[i], *y);
    }
  };
  return plan;
}

}  // namespace tlsmatrix::probe
