// One classified cell of the matrix, as stored in cells.jsonl and matrix.json.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "expected_result.hpp"
#include "peer_catalog.hpp"
#include "recording_relay.hpp"
#include "scenario.hpp"
#include "verdict.hpp"

namespace tlsmatrix {

struct CellResult {
  std::string id;  // suite/scenario/client->server
  const Suite* suite = nullptr;
  const Scenario* scenario = nullptr;
  const Peer* client = nullptr;
  const Peer* server = nullptr;
  Verdict verdict;
  ExpectedResult expected;  // from the known-deviation files; pass when none matches
  std::vector<std::string> client_missing, server_missing;  // for unsupported
  nlohmann::json client_outcome;                            // null when the peer gave none
  nlohmann::json server_outcome;
  nlohmann::json wire;
  nlohmann::json fact_sources;
  // A cell of several connections (resumption): the top-level outcomes, wire and fact sources
  // are connection 1's; each later one is {connection, client_outcome, server_outcome, wire,
  // fact_sources}.
  nlohmann::json later_connections = nlohmann::json::array();
  // null unless the scenario attacks (`relay:`): per mutation what it did on the cell's
  // connections (matrix_runner.cpp, results/README.md).
  nlohmann::json attack;
  std::string client_exit, server_exit;
  std::string client_log, server_log;  // stderr, kept for the logs/ folder
  std::vector<std::string> keylog;     // every connection's, SSLKEYLOGFILE lines
  std::vector<RelayedBytes> relayed;   // what the relay kept, per connection, for a capture
  double wall_ms = 0;
  double client_handshake_ms = 0;
  double server_handshake_ms = 0;
};

// The verdict meets the expectation: the cell's `match` is "expected".
bool as_expected(const CellResult& cell);
// "suite/scenario/CLIENT->SERVER": the one form of a cell id. With version-free peer ids it is
// also the key under which `tlsmatrix diff` and the run history match cells across runs
// (matrix_diff.hpp, run_history.hpp).
std::string cell_id(std::string_view suite, std::string_view scenario, std::string_view client,
                    std::string_view server);
// The JSON form documented in results/README.md; `log_files` are the paths written for logs.
nlohmann::json to_json(const CellResult& cell, const nlohmann::json& log_files);

// A cell line that cannot be read back: what is wrong with it (without the file's name).
class CellJsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The inverse of to_json: a cell read back from a line of cells.jsonl (or an entry of
// matrix.json `cells`), its suite, scenario and peers found by id in `suites` and `peers` (which
// must outlive the cell), and each check tied back to the expectation of the scenario it reports
// (same fact, values, sender, citation, severity and connection), so the reports read it as they
// read a cell that ran. What to_json does not write (the peers' logs, the key log, the relayed
// bytes) stays empty. Throws CellJsonError naming what does not fit: a field missing or of
// another type, a suite, scenario or peer that is not given, a check that is no expectation of
// the scenario, an id or `match` that contradicts the other fields.
CellResult cell_from_json(const nlohmann::json& json, const std::vector<Suite>& suites,
                          const std::vector<Peer>& peers);

}  // namespace tlsmatrix
