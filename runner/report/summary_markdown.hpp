// summary.md: the run as a person reads it (matrix.json is the machine-readable form).
#pragma once

#include <string>
#include <vector>

#include "cell_result.hpp"
#include "run_info.hpp"

namespace tlsmatrix {

std::string summary_markdown(const RunInfo& info, const std::vector<Peer>& peers,
                             const std::vector<Suite>& suites,
                             const std::vector<CellResult>& cells);

}  // namespace tlsmatrix
