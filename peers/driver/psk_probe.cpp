#include "psk_probe.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "observation_queries.hpp"
#include "probe_configs.hpp"
#include "test_pki.hpp"

namespace tlsmatrix::probe {
namespace {

using ModeSet = std::vector<std::string>;

// Every non-empty mode list in both orders: a library may honour the order (OpenSSL's server
// prefers psk_ke only when it comes first), and a set counts as possible when its lists show it.
const std::vector<ModeSet> kModeLists = {
    {"psk_dhe_ke"}, {"psk_ke"}, {"psk_dhe_ke", "psk_ke"}, {"psk_ke", "psk_dhe_ke"}};
// The sets the capabilities name, each sorted by name, in name order.
const std::vector<ModeSet> kModeSets = {{"psk_dhe_ke"}, {"psk_dhe_ke", "psk_ke"}, {"psk_ke"}};
const std::vector<std::string> kHashes = {"SHA256", "SHA384"};

std::optional<ModeSet> offered_modes(const WireObservation& wire) {
  if (wire.client_hellos.empty() || !wire.client_hellos.front().pre_shared_key) return std::nullopt;
  auto modes = offered_psk_mode_names(wire.client_hellos.front());
  std::sort(modes.begin(), modes.end());
  return modes;
}

bool psk_completed(const MemoryHandshake& hs) {
  return hs.completed() && hs.wire.psk_accepted;
}

bool contains(const ModeSet& set, const std::string& mode) {
  return std::find(set.begin(), set.end(), mode) != set.end();
}

ModeSet sorted(ModeSet set) {
  std::sort(set.begin(), set.end());
  return set;
}

// results[s * n + c]: server configured with kModeLists[s], client with kModeLists[c];
// results[n * n + s]: the same server against a client offering both modes with no group in
// common, where only psk_ke can complete (a library whose client cannot offer psk_ke alone
// shows its server's psk_ke that way). A
// client can offer a set when every list of it offered exactly that set to every server; a
// server can be restricted to a set when its lists never selected a mode outside it and, over
// all clients, completed PSK handshakes in each of its modes.
void read_modes(std::span<const MemoryHandshake> results, Capabilities& caps) {
  const auto n = kModeLists.size();
  for (const auto& set : kModeSets) {
    bool exact = true;
    for (std::size_t c = 0; c < n; ++c)
      for (std::size_t s = 0; s < n && sorted(kModeLists[c]) == set; ++s)
        exact = exact && offered_modes(results[s * n + c].wire) == set;
    if (exact) caps.psk.client_mode_sets.push_back(set);
  }
  for (const auto& set : kModeSets) {
    ModeSet selected;
    bool outside = false;
    for (std::size_t s = 0; s < n; ++s) {
      if (sorted(kModeLists[s]) != set) continue;
      std::vector<const MemoryHandshake*> runs;
      for (std::size_t c = 0; c < n; ++c) runs.push_back(&results[s * n + c]);
      runs.push_back(&results[n * n + s]);
      for (const auto* hs : runs) {
        const auto mode = accepted_psk_mode(hs->wire);
        if (!mode) continue;
        outside = outside || !contains(set, *mode);
        if (psk_completed(*hs) && !contains(selected, *mode)) selected.push_back(*mode);
      }
    }
    if (!outside && sorted(selected) == set) caps.psk.server_mode_sets.push_back(set);
  }
  for (const auto& hs : results.first(n * n))
    if (psk_completed(hs) && hs.client.psk_used && hs.server.psk_used)
      caps.features.insert(Feature::external_psk);
}

}  // namespace

HandshakePlan plan_psk() {
  HandshakePlan plan;
  for (const auto& server_modes : kModeLists)
    for (const auto& client_modes : kModeLists) {
      auto pair = psk_pair(client_modes);
      pair.server.psk_modes = server_modes;
      plan.pairs.push_back(pair);
    }
  for (const auto& server_modes : kModeLists) {
    auto pair = psk_pair(kModeSets[1]);
    pair.server.psk_modes = server_modes;
    pair.client.groups = {"x25519"};
    pair.server.groups = {"secp256r1"};
    plan.pairs.push_back(pair);
  }
  for (const auto& hash : kHashes) plan.pairs.push_back(psk_pair(kModeSets[1], hash));
  // RFC 9973: the extension goes with psk_dhe_ke only.
  auto with_certificate = psk_pair(kModeSets[0]);
  with_certificate.server.certificate = test_pki::server_ecdsa();
  with_certificate.client.cert_with_extern_psk = with_certificate.server.cert_with_extern_psk =
      true;
  plan.pairs.push_back(with_certificate);

  plan.read = [](std::span<const MemoryHandshake> results, Capabilities& caps) {
    const auto n = kModeLists.size() * kModeLists.size() + kModeLists.size();
    read_modes(results.first(n), caps);
    for (std::size_t i = 0; i < kHashes.size(); ++i)
      if (psk_completed(results[n + i])) caps.psk.hashes.push_back(kHashes[i]);
    const auto& cert = results[n + kHashes.size()];
    if (psk_completed(cert) && cert.client.peer_certificate &&
        cert_with_extern_psk_negotiated(cert.wire))
      caps.features.insert(Feature::cert_with_extern_psk);
  };
  return plan;
}

}  // namespace tlsmatrix::probe
