// Merges what the two peers reported with what the relay saw into CellFacts, and lists every
// place where they contradict each other or where a peer did not apply its configuration.
#pragma once

#include "capabilities.hpp"
#include "cell_executor.hpp"
#include "cell_facts.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix {

// One connection's facts; both peers must have reported on it. `client_capabilities` says how
// strictly the ClientHello is held to the configuration (e.g. whether the order of `groups`
// counts).
CellFacts facts_from_run(const ConnectionRun& run, const WireObservation& wire,
                         const CellRequest& request, const Capabilities& client_capabilities);

}  // namespace tlsmatrix
