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

// The server's credentials in each variant of the PSK handshakes: none, and a certificate. A
// library may need its server to hold a certificate even when only the PSK authenticates (an
// NSS server without one finds no signature scheme and aborts), and another may prefer the
// certificate over psk_ke once it has one (Mbed TLS), so each case runs both ways and a
// capability shows when either variant shows it.
constexpr std::size_t kServerVariants = 2;

// One variant's mode handshakes: block[s * n + c]: server configured with kModeLists[s], client
// with kModeLists[c]; block[n * n + s]: the same server against a client offering both modes
// with no group in common, where only psk_ke can complete (a library whose client cannot offer
// psk_ke alone shows its server's psk_ke that way).
using ModeBlock = std::span<const MemoryHandshake>;

// A client can offer a set when every list of it, in every handshake where it sent a
// ClientHello (a server that refused its configuration leaves none), offered exactly that set,
// and it sent at least one. A server can be restricted to a set when its lists never selected a
// mode outside it and, over all clients and variants, completed PSK handshakes in each of its
// modes.
void read_modes(std::span<const ModeBlock> blocks, Capabilities& caps) {
  const auto n = kModeLists.size();
  for (const auto& set : kModeSets) {
    bool exact = true;
    bool seen = false;
    for (const auto& block : blocks)
      for (std::size_t c = 0; c < n; ++c)
        for (std::size_t s = 0; s < n && sorted(kModeLists[c]) == set; ++s) {
          const auto& wire = block[s * n + c].wire;
          if (wire.client_hellos.empty()) continue;
          seen = true;
          exact = exact && offered_modes(wire) == set;
        }
    if (seen && exact) caps.psk.client_mode_sets.push_back(set);
  }
  for (const auto& set : kModeSets) {
    ModeSet selected;
    bool outside = false;
    for (const auto& block : blocks)
      for (std::size_t s = 0; s < n; ++s) {
        if (sorted(kModeLists[s]) != set) continue;
        std::vector<const MemoryHandshake*> runs;
        for (std::size_t c = 0; c < n; ++c) runs.push_back(&block[s * n + c]);
        runs.push_back(&block[n * n + s]);
        for (const auto* hs : runs) {
          const auto mode = accepted_psk_mode(hs->wire);
          if (!mode) continue;
          outside = outside || !contains(set, *mode);
          if (psk_completed(*hs) && !contains(selected, *mode)) selected.push_back(*mode);
        }
      }
    if (!outside && sorted(selected) == set) caps.psk.server_mode_sets.push_back(set);
  }
  for (const auto& block : blocks)
    for (const auto& hs : block.first(n * n))
      if (psk_completed(hs) && hs.client.psk_used && hs.server.psk_used)
        caps.features.insert(Feature::external_psk);
}

}  // namespace

HandshakePlan plan_psk() {
  HandshakePlan plan;
  for (std::size_t variant = 0; variant < kServerVariants; ++variant) {
    const auto with_server_certificate = [&](ConfigPair pair) {
      if (variant == 1) pair.server.certificate = test_pki::server_ecdsa();
      return pair;
    };
    for (const auto& server_modes : kModeLists)
      for (const auto& client_modes : kModeLists) {
        auto pair = psk_pair(client_modes);
        pair.server.psk_modes = server_modes;
        plan.pairs.push_back(with_server_certificate(pair));
      }
    for (const auto& server_modes : kModeLists) {
      auto pair = psk_pair(kModeSets[1]);
      pair.server.psk_modes = server_modes;
      pair.client.groups = {"x25519"};
      pair.server.groups = {"secp256r1"};
      plan.pairs.push_back(with_server_certificate(pair));
    }
    // The hash with each library's default modes: a library that cannot offer one of the modes
    // (Botan has no psk_ke) still shows which hashes its PSKs can take.
    for (const auto& hash : kHashes)
      plan.pairs.push_back(with_server_certificate(psk_pair(std::nullopt, hash)));
  }
  // RFC 9973: the extension goes with psk_dhe_ke only.
  auto with_certificate = psk_pair(kModeSets[0]);
  with_certificate.server.certificate = test_pki::server_ecdsa();
  with_certificate.client.cert_with_extern_psk = with_certificate.server.cert_with_extern_psk =
      true;
  plan.pairs.push_back(with_certificate);

  plan.read = [](std::span<const MemoryHandshake> results, Capabilities& caps) {
    const auto modes = kModeLists.size() * kModeLists.size() + kModeLists.size();
    const auto block = modes + kHashes.size();
    std::vector<ModeBlock> mode_blocks;
    for (std::size_t variant = 0; variant < kServerVariants; ++variant)
      mode_blocks.push_back(results.subspan(variant * block, modes));
    read_modes(mode_blocks, caps);
    for (std::size_t i = 0; i < kHashes.size(); ++i) {
      bool completed = false;
      for (std::size_t variant = 0; variant < kServerVariants; ++variant)
        completed = completed || psk_completed(results[variant * block + modes + i]);
      if (completed) caps.psk.hashes.push_back(kHashes[i]);
    }
    const auto& cert = results[kServerVariants * block];
    if (psk_completed(cert) && cert.client.peer_certificate &&
        cert_with_extern_psk_negotiated(cert.wire))
      caps.features.insert(Feature::cert_with_extern_psk);
  };
  return plan;
}

}  // namespace tlsmatrix::probe
