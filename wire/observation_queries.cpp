#include "observation_queries.hpp"

namespace tlsmatrix {

std::vector<std::uint16_t> first_key_share_groups(const WireObservation& observation) {
  std::vector<std::uint16_t> groups;
  if (!observation.client_hellos.empty())
    for (const auto& share : observation.client_hellos.front().key_shares)
      groups.push_back(share.group);
  return groups;
}

std::optional<std::string> accepted_psk_mode(const WireObservation& observation) {
  if (!observation.psk_accepted || observation.server_hellos.empty()) return std::nullopt;
  return observation.server_hellos.back().key_share_group ? "psk_dhe_ke" : "psk_ke";
}

}  // namespace tlsmatrix
