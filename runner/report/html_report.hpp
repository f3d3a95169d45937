// report.html: one self-contained page (no network, no server: it opens from disk) with a
// client x server grid per suite, filters and a detail view per cell. Made from matrix.json
// and the suites; its format is described in results/README.md ("report.html").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenario.hpp"

namespace tlsmatrix {

// `matrix` is a whole matrix.json (schema 7). Scenarios of `suites` give each cell's text and
// citations; a scenario the suites lack (a run of another checkout) is shown with the title
// matrix.json has and no text.
std::string html_report(const nlohmann::json& matrix, const std::vector<Suite>& suites);

}  // namespace tlsmatrix
