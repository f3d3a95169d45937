// One classified cell of the matrix, as stored in cells.jsonl and matrix.json.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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
std::string cell_id(const Suite& suite, const Scenario& scenario, const Peer& client,
                    const Peer& server);
// The JSON form documented in results/README.md; `log_files` are the paths written for logs.
nlohmann::json to_json(const CellResult& cell, const nlohmann::json& log_files);

}  // namespace tlsmatrix
