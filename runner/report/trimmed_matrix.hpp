// The trimmed form of matrix.json kept in results/baseline/: each cell's verdict and
// expectation without wire details, outcomes, logs, timings or host facts, so that a refreshed
// baseline diffs line by line with what actually changed. Documented in results/README.md.
#pragma once

#include <nlohmann/json.hpp>

namespace tlsmatrix {

nlohmann::json trimmed_matrix(const nlohmann::json& matrix);

}  // namespace tlsmatrix
