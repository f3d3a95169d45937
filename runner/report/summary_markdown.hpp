// summary.md: the run as a person reads it (matrix.json is the machine-readable form), and
// ci-summary.md: its head in a size a CI job summary takes (GitHub's is capped at 1 MiB; a full
// summary.md is several): totals, the first 100 unexpected cells and completed downgrades, one
// line per suite.
#pragma once

#include <string>
#include <vector>

#include "cell_result.hpp"
#include "run_info.hpp"

namespace tlsmatrix {

std::string summary_markdown(const RunInfo& info, const std::vector<Peer>& peers,
                             const std::vector<Suite>& suites,
                             const std::vector<CellResult>& cells);

std::string ci_summary_markdown(const RunInfo& info, const std::vector<Peer>& peers,
                                const std::vector<Suite>& suites,
                                const std::vector<CellResult>& cells);

}  // namespace tlsmatrix
