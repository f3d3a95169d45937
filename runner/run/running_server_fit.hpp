// Which scenarios a running server (tlsmatrix certify --server) can take part in. Such a
// server keeps its own configuration for every cell: a scenario fits only when its server
// side asks for nothing that the client's offer does not already decide, so that any server
// of the stack, configured as it is, must behave as the scenario's configured server would.
#pragma once

#include <optional>
#include <string>

#include "peer_catalog.hpp"
#include "scenario.hpp"

namespace tlsmatrix {

// Why `scenario` cannot run against `server`, in a sentence naming the setting; nullopt when
// it fits.
std::optional<std::string> running_server_obstacle(const Scenario& scenario,
                                                   const RunningServer& server);

}  // namespace tlsmatrix
