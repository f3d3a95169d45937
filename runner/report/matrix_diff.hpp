// Compares two runs' matrix.json: what regressed, what was fixed, what else changed, which
// cells appeared or vanished, and which peers' library versions changed. `tlsmatrix diff`
// prints it; the JSON form is documented in results/README.md.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tlsmatrix {

class MatrixFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MatrixFile {
  std::string path;  // the matrix.json actually read
  nlohmann::json matrix;
};

// A run folder (its matrix.json) or a matrix file, full or trimmed (schema versions 1 to 3).
// Throws MatrixFileError naming the file and what is wrong with it.
MatrixFile load_matrix(const std::string& path);

struct CellState {
  std::string id;
  std::string status;
  std::string match;  // "expected", "unexpected", or empty in a schema 1 matrix
  std::string reason;
  std::string client, server;  // peer ids
};

// "openssl-3.6.4@sid" with version 3.6.4 -> "openssl@sid"; ids without it stay as they are.
// Keys a peer, and a cell by its peers, across runs in which the peer's version changed.
std::string versionless(const std::string& id, const std::string& version);

struct IndexedPeer {
  std::string id, stack, version;
};

// What a diff (or the run history) reads of one matrix, keyed by version-free peer and cell
// ids. Throws MatrixFileError naming the file and what is missing.
struct IndexedMatrix {
  std::map<std::string, IndexedPeer> peers;  // by peer id without version
  std::map<std::string, CellState> cells;    // by suite/scenario/CLIENT->SERVER without versions
};
IndexedMatrix index_matrix(const MatrixFile& file);

struct CellChange {
  // The cell id with each peer's library version taken out of its peer id, so that a cell
  // of openssl-3.6.4@sid compares with the same cell of openssl-3.6.5@sid.
  std::string key;
  std::optional<CellState> old_cell, new_cell;
};

struct PeerVersionChange {
  std::string peer;  // the peer id without its version
  std::string old_id, new_id, old_version, new_version;
};

struct MatrixDiff {
  std::string old_path, new_path;
  std::size_t compared = 0;  // cells present in both
  // pass -> anything else, or expected -> unexpected
  std::vector<CellChange> regressions;
  // anything else -> pass, or unexpected -> expected (and no regression)
  std::vector<CellChange> fixes;
  std::vector<CellChange> changed;  // any other change of status or match
  std::vector<CellChange> added, vanished;
  std::vector<PeerVersionChange> peer_versions;
};

MatrixDiff diff_matrices(const MatrixFile& old_run, const MatrixFile& new_run);

inline constexpr int kDiffSchemaVersion = 1;
nlohmann::json to_json(const MatrixDiff& diff);
std::string diff_text(const MatrixDiff& diff);

}  // namespace tlsmatrix
