// Writes one run's folder under results/: cells.jsonl as each cell finishes, per-cell peer
// logs and key logs, then matrix.json, summary.md, ci-summary.md, junit.xml and report.html at
// the end (also after an interrupt). The folder is made with the first cell, so a run stopped
// before any cell leaves nothing. Every write is checked: a failure throws ResultsWriteError naming
// the file and the OS error, and leaves cells.jsonl with whole lines only. The formats are
// documented in results/README.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cell_result.hpp"
#include "peer_catalog.hpp"
#include "results_files.hpp"
#include "run_info.hpp"
#include "scenario.hpp"

namespace tlsmatrix {

inline constexpr int kMatrixSchemaVersion = 7;

// Which cells keep a capture (logs/CELL.pcap, beside logs/CELL.keylog): by default those that
// did not pass.
enum class CaptureMode { failures, all, none };

class ResultsWriter {
 public:
  // The folder will be `root`/`run_id`; another run's folder of that name (parallel shards
  // started in the same second) makes it take a fresh run id.
  ResultsWriter(std::filesystem::path root, std::string run_id, const std::vector<Peer>& peers,
                const std::vector<Suite>& suites, CaptureMode captures = CaptureMode::failures);
  void add(CellResult&& cell);
  // A cell read back from another run's folder (`tlsmatrix merge`, cell_from_json): `line`, its
  // line of that run's cells.jsonl, is written as it is, and `logs`, the log files it names
  // (recorded_log_files of that line), are copied from `from_dir` instead of written.
  void add_recorded(CellResult&& cell, std::string line, const std::vector<std::string>& logs,
                    const std::filesystem::path& from_dir);
  // Writes matrix.json, summary.md, ci-summary.md, junit.xml and report.html (each whole or not
  // at all), and the trimmed matrix to `trimmed_copy` unless empty. With no cell added it writes
  // nothing and returns false.
  bool finish(RunInfo info, const std::filesystem::path& trimmed_copy = {});
  const std::vector<CellResult>& cells() const { return cells_; }
  std::filesystem::path dir() const { return root_ / run_id_; }
  const std::string& run_id() const { return run_id_; }

 private:
  void make_folder();
  nlohmann::json write_cell_files(const CellResult& cell);
  void keep(CellResult&& cell, std::string line);
  nlohmann::json matrix_json(const RunInfo& info) const;

  std::filesystem::path root_;
  std::string run_id_;
  const std::vector<Peer>& peers_;
  const std::vector<Suite>& suites_;
  CaptureMode captures_;
  LineFile jsonl_;
  // What the reports need of each cell; its outcomes, wire and logs are on disk (cells.jsonl,
  // logs/) and dropped here.
  std::vector<CellResult> cells_;
  std::vector<std::string> cell_lines_;  // each cell's cells.jsonl line, for matrix.json
};

// The log files a cell (a line of cells.jsonl) names in harness.logs, as paths relative to its
// run folder: each must be logs/STEM.KIND, STEM the cell id's file name form, so a cell names
// only files of its own in its own folder. Throws CellJsonError otherwise.
std::vector<std::string> recorded_log_files(const nlohmann::json& cell);

// matrix.json `peers` and `suites`, as ResultsWriter writes them.
nlohmann::json peers_json(const std::vector<Peer>& peers);
nlohmann::json suites_json(const std::vector<Suite>& suites);

}  // namespace tlsmatrix
