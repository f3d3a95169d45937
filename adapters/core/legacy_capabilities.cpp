#include "legacy_capabilities.hpp"

namespace tlsmatrix {

void apply_legacy_lists(Capabilities& caps, const LegacyLists& lists) {
  const ItemControl full{true, true};
  for (const auto& v : lists.versions) caps.versions[v] = {full, full};
  for (const auto& g : lists.groups) caps.groups[g] = {full, full};
  for (const auto& c : lists.cipher_suites) caps.cipher_suites[c] = {full, full};
  for (const auto& m : lists.psk_modes) {
    caps.psk.client_mode_sets.push_back({m});
    caps.psk.server_mode_sets.push_back({m});
  }
  if (!lists.psk_modes.empty()) caps.psk.hashes = {"SHA256", "SHA384"};
  for (const auto& f : lists.features)
    if (const auto feature = feature_from_name(f)) caps.features.insert(*feature);
}

}  // namespace tlsmatrix
