// A client x server table, rendered either as aligned text (terminal) or Markdown.
#pragma once

#include <string>
#include <vector>

#include "cell_result.hpp"
#include "tally.hpp"

namespace tlsmatrix {

struct Grid {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Each pair's compact tally; rows are clients, columns servers, in catalog order.
Grid status_grid(const SuiteTally& suite, const std::vector<Peer>& peers);
// The value a scenario records for `fact` in each pair ("-" where the cell did not run).
Grid observation_grid(const std::vector<CellResult>& cells, const Scenario& scenario,
                      const std::string& fact, const std::vector<Peer>& peers);

// A recorded fact as matrix.json holds it (typed, null when nobody could tell), as text: "-"
// when the cell has no such observation, "unknown" for null.
std::string observation_text(const nlohmann::json& observations, const std::string& fact);

std::string render_text(const Grid& grid);
std::string render_markdown(const Grid& grid);

}  // namespace tlsmatrix
