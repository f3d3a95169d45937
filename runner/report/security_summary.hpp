// Per pair of peers, the strongest configuration that completed a handshake, and per server the
// weakest one it accepted, by the ranking of the cells' security notes (security_note.hpp).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "cell_result.hpp"

namespace tlsmatrix {

struct SecurityExtreme {
  std::string client, server;  // server only for a server's weakest
  SecurityNote note;
  std::string cell;  // one cell that shows it
};

struct SecuritySummary {
  std::vector<SecurityExtreme> strongest_per_pair;  // pairs with a completed handshake
  std::vector<SecurityExtreme> weakest_per_server;  // servers with a completed handshake
};

SecuritySummary security_summary(const std::vector<Peer>& peers,
                                 const std::vector<CellResult>& cells);
nlohmann::json to_json(const SecuritySummary& summary);
std::string security_markdown(const SecuritySummary& summary);

}  // namespace tlsmatrix
