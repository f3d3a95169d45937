// The run history (issue 13): every recorded run's peers and cell verdicts in one SQLite file,
// so that "when did this cell last change, and between which library versions" and "how has
// this stack done across runs" are one query. Cells and peers are keyed without library
// versions (matrix_diff.hpp's versionless ids), so a cell of openssl-3.0.19@host and the same
// cell of openssl-3.0.20@host are one cell's history. Tables: results/README.md, "History".
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cell_result.hpp"
#include "matrix_diff.hpp"
#include "run_info.hpp"

struct sqlite3;

namespace tlsmatrix {

class HistoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What is recorded of one run.
struct RunRecord {
  std::string run_id, started, finished, shard;
  bool complete = false;
  IndexedMatrix matrix;
};

RunRecord run_record(const RunInfo& info, const std::vector<Peer>& peers,
                     const std::vector<CellResult>& cells);
RunRecord run_record(const MatrixFile& file);

// One recorded run of one cell.
struct CellVersionState {
  std::string run_id, started;
  CellState cell;
  std::string client_version, server_version;
};

struct CellHistory {
  std::string key;                     // the version-free cell id
  std::vector<CellVersionState> runs;  // oldest first
};

// One recorded run of one peer, with its cells in either role.
struct PeerRunRecord {
  std::string run_id, started;
  IndexedPeer peer;
  std::size_t cells = 0, unexpected = 0;
  std::map<std::string, std::size_t> by_status;
};

class RunHistory {
 public:
  // Opens the database, creating it (and its folder) when missing. Throws HistoryError naming
  // the file: not SQLite, another program's tables, a newer history schema, no permission.
  explicit RunHistory(const std::filesystem::path& file);
  ~RunHistory();
  RunHistory(const RunHistory&) = delete;
  RunHistory& operator=(const RunHistory&) = delete;

  // Records a run, replacing an earlier record of the same run id. Returns the cells recorded.
  std::size_t record(const RunRecord& run);
  // Every cell whose version-free id or any recorded id matches `pattern` (fnmatch; `*` also
  // matches / and >), each with its recorded runs.
  std::vector<CellHistory> cells(const std::string& pattern) const;
  // Every recorded run of the peers whose stack is `stack_or_pattern` or whose version-free id
  // matches it, oldest run first.
  std::vector<PeerRunRecord> peer_runs(const std::string& stack_or_pattern) const;
  std::size_t run_count() const;

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
};

inline constexpr int kHistorySchemaVersion = 1;

// The terminal forms of `tlsmatrix history`.
std::string cell_history_text(const std::vector<CellHistory>& cells);
std::string peer_runs_text(const std::string& what, const std::vector<PeerRunRecord>& runs);

}  // namespace tlsmatrix
