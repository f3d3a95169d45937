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

// Every non-empty set, each sorted by name, in name order.
const std::vector<ModeSet> kModeSets = {{"psk_dhe_ke"}, {"psk_dhe_ke", "psk_ke"}, {"psk_ke"}};
const std::vector<std::string> kHashes = {"SHA256", "SHA384"};

std::optional<ModeSet> offered_modes(const WireObservation& wire) {
  if (wire.client_hellos.empty() || !wire.client_hellos.front().pre_shared_key) return std::nullopt;
  ModeSet modes;
  for (const auto code : wire.client_hellos.front().psk_key_exchange_modes)
    modes.emplace_back(code == 0 ? "psk_ke" : code == 1 ? "psk_dhe_ke" : "unknown");
  std::sort(modes.begin(), modes.end());
  return modes;
}

bool psk_completed(const MemoryHandshake& hs) {
  return hs.completed() && hs.wire.psk_accepted;
}

bool contains(const ModeSet& set, const std::string& mode) {
  return std::find(set.begin(), set.end(), mode) != set.end();
}

// results[s * n + c]: server configured with kModeSets[s], client with kModeSets[c].
void read_modes(std::span<const MemoryHandshake> results, Capabilities& caps) {
  const auto n = kModeSets.size();
  for (std::size_t c = 0; c < n; ++c) {
    bool exact = true;
    for (std::size_t s = 0; s < n; ++s)
      exact = exact && offered_modes(results[s * n + c].wire) == kModeSets[c];
    if (exact) caps.psk.client_mode_sets.push_back(kModeSets[c]);
  }
  for (std::size_t s = 0; s < n; ++s) {
    ModeSet selected;
    bool outside = false;
    for (std::size_t c = 0; c < n; ++c) {
      const auto mode = accepted_psk_mode(results[s * n + c].wire);
      if (!mode) continue;
      outside = outside || !contains(kModeSets[s], *mode);
      if (psk_completed(results[s * n + c]) && !contains(selected, *mode))
        selected.push_back(*mode);
    }
    std::sort(selected.begin(), selected.end());
    if (!outside && selected == kModeSets[s]) caps.psk.server_mode_sets.push_back(kModeSets[s]);
  }
  for (const auto& hs : results.first(n * n))
    if (psk_completed(hs) && hs.client.psk_used && hs.server.psk_used)
      caps.features.insert(Feature::external_psk);
}

}  // namespace

HandshakePlan plan_psk() {
  HandshakePlan plan;
  for (const auto& server_modes : kModeSets)
    for (const auto& client_modes : kModeSets) {
      auto pair = psk_pair(client_modes);
      pair.server.psk_modes = server_modes;
      plan.pairs.push_back(pair);
    }
  for (const auto& hash : kHashes) plan.pairs.push_back(psk_pair(kModeSets[1], hash));
  // RFC 9973: the extension goes with psk_dhe_ke only.
  auto with_certificate = psk_pair(kModeSets[0]);
  with_certificate.server.certificate = test_pki::server_ecdsa();
  with_certificate.client.cert_with_extern_psk = with_certificate.server.cert_with_extern_psk = true;
  plan.pairs.push_back(with_certificate);

  plan.read = [](std::span<const MemoryHandshake> results, Capabilities& caps) {
    const auto n = kModeSets.size() * kModeSets.size();
    read_modes(results.first(n), caps);
    for (std::size_t i = 0; i < kHashes.size(); ++i)
      if (psk_completed(results[n + i])) caps.psk.hashes.push_back(kHashes[i]);
    const auto& cert = results[n + kHashes.size()];
    if (psk_completed(cert) && cert.client.peer_certificate && cert_with_extern_psk_negotiated(cert.wire))
      caps.features.insert(Feature::cert_with_extern_psk);
  };
  return plan;
}

}  // namespace tlsmatrix::probe
