// TRANSITIONAL: protocol 1's flat capability lists turned into protocol 2's tables, every
// item marked controllable in both roles. Removed once the shared probe in peers/driver/
// measures each item; nothing new may use it.
#pragma once

#include <string>
#include <vector>

#include "capabilities.hpp"

namespace tlsmatrix {

struct LegacyLists {
  std::vector<std::string> versions, groups, cipher_suites, psk_modes, features;
};

void apply_legacy_lists(Capabilities& caps, const LegacyLists& lists);

}  // namespace tlsmatrix
