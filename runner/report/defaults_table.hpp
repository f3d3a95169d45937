// The defaults table: per peer, what its library does when a setting is left to it (which
// PSK modes a client offers, whether a server accepts psk_ke), read from the executed cells
// of the scenarios that declare a `defaults_column` (suites/README.md). Every entry names the
// cells that show it; nothing comes from a table in code.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "cell_result.hpp"

namespace tlsmatrix {

struct DefaultsEntry {
  std::string suite, scenario, label, fact;
  Role role = Role::server;
  std::string peer;
  // Each value observed in this peer's executed cells (pass, deviation, fail), with those
  // cells' ids (sorted); empty when no cell of the peer ran.
  std::map<std::string, std::vector<std::string>> values;
};

// One entry per defaults column and peer, columns in suite order, peers in catalog order.
std::vector<DefaultsEntry> defaults_entries(const std::vector<Suite>& suites,
                                            const std::vector<Peer>& peers,
                                            const std::vector<CellResult>& cells);
// matrix.json `defaults`.
nlohmann::json defaults_json(const std::vector<DefaultsEntry>& entries);
// summary.md's table: a row per peer, a column per defaults column; "" without columns.
std::string defaults_markdown(const std::vector<DefaultsEntry>& entries,
                              const std::vector<Peer>& peers);

}  // namespace tlsmatrix
