// Writes one run's folder under results/: cells.jsonl as each cell finishes, per-cell peer
// logs and key logs, then matrix.json and summary.md at the end (also after an interrupt).
// The formats are documented in results/README.md.
#pragma once

#include <filesystem>
#include <fstream>
#include <vector>

#include "cell_result.hpp"
#include "peer_catalog.hpp"
#include "run_info.hpp"
#include "scenario.hpp"

namespace tlsmatrix {

inline constexpr int kMatrixSchemaVersion = 3;

class ResultsWriter {
 public:
  ResultsWriter(std::filesystem::path dir, const std::vector<Peer>& peers,
                const std::vector<Suite>& suites);
  void add(CellResult&& cell);
  // Writes matrix.json and summary.md, and the trimmed matrix to `trimmed_copy` unless empty.
  void finish(const RunInfo& info, const std::filesystem::path& trimmed_copy = {});
  const std::vector<CellResult>& cells() const { return cells_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  nlohmann::json write_cell_files(const CellResult& cell);
  nlohmann::json matrix_json(const RunInfo& info) const;

  std::filesystem::path dir_;
  const std::vector<Peer>& peers_;
  const std::vector<Suite>& suites_;
  std::ofstream jsonl_;
  std::vector<CellResult> cells_;
  std::vector<nlohmann::json> cell_json_;
};

}  // namespace tlsmatrix
