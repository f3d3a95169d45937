// What a cell shows on the wire of state carried over from an earlier request: a peer that
// serves many requests must start each from the same state (peers/PROTOCOL.md, "Serving many
// requests"), and so must any peer, since a cell's result may not depend on the cells before
// it. Only what is visible can be checked: repeated hello randoms, a PSK the client was not
// given, and a server resuming a TLS 1.2 session in the cell's first connection.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cell_executor.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix {

// Every ClientHello and ServerHello random of a run, with the cell that sent it first. Shared
// by all workers.
class RandomRegistry {
 public:
  // The cell that sent `random` before, or nullopt when it is new; records it for `cell`.
  std::optional<std::string> earlier_use(const std::array<std::uint8_t, 32>& random,
                                         const std::string& cell);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> first_cell_;
};

// Why the cell is an error because it shows state from an earlier request, naming the peer;
// nullopt when nothing shows. `wires` holds one observation per connection of the cell;
// without `randoms` they are not compared with other cells'.
std::optional<std::string> isolation_breach(const std::vector<WireObservation>& wires,
                                            const CellRequest& request, const std::string& cell,
                                            RandomRegistry* randoms);

}  // namespace tlsmatrix
