// The last thing each direction carried, for reasons about handshakes that stopped halfway.
#pragma once

#include <string>

#include "wire_observation.hpp"

namespace tlsmatrix {

// "client->server: client_hello; server->client: nothing".
std::string last_messages_on_wire(const WireObservation& wire);

}  // namespace tlsmatrix
