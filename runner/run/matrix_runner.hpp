// Expands suites over every ordered (client, server) pair of peers and runs the cells in
// parallel. Each finished cell is handed to `on_cell` at once (under a lock), so results
// are written as they come and nothing computed is lost if the run is interrupted.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cell_result.hpp"
#include "isolation_check.hpp"
#include "known_deviations.hpp"
#include "peer_catalog.hpp"
#include "peer_pool.hpp"
#include "scenario.hpp"

namespace tlsmatrix {

struct PlannedCell {
  std::string id;
  const Suite* suite;
  const Scenario* scenario;
  const Peer* client;
  const Peer* server;
  ExpectedResult expected = {};  // pass unless RunOptions::known_deviations says otherwise
};

struct RunOptions {
  std::vector<std::string> filters;  // glob patterns on cell ids; empty: every cell
  unsigned shard_index = 0;          // this shard's cells: those whose position % count == index
  unsigned shard_count = 1;
  unsigned jobs = 0;  // 0: one per CPU
  std::chrono::milliseconds cell_timeout{20000};
  // Sets each planned cell's expected result; null: every cell is expected to pass.
  const KnownDeviations* known_deviations = nullptr;
  // Peers whose capabilities say `serve` are started once per worker and serve many requests
  // (peers/PROTOCOL.md, "Serving many requests"); false: a process per peer per cell.
  bool reuse_peer_processes = true;
  // Which ordered (client, server) pairs are planned; null: every pair (tlsmatrix certify: the
  // vendor peer against each reference peer).
  std::function<bool(const Peer& client, const Peer& server)> pairs;
};

// What the cells of one worker share.
struct CellContext {
  PeerPool* pool = nullptr;           // serving peers; null: a process per peer per cell
  RandomRegistry* randoms = nullptr;  // the run's hello randoms; null: not compared
};

// Throws ExpectationsError when two known deviations disagree on a planned cell.
std::vector<PlannedCell> plan_cells(const std::vector<Suite>& suites,
                                    const std::vector<Peer>& peers, const RunOptions& options);

// Classifies one cell: unsupported from capabilities, otherwise runs it and judges it.
CellResult run_cell(const PlannedCell& cell, std::chrono::milliseconds timeout,
                    const std::atomic<bool>& cancelled, const CellContext& context = {});

// Stops starting cells and ends those in flight once `cancelled` is set or `on_cell` throws;
// rethrows what `on_cell` threw once every worker has stopped.
void run_cells(const std::vector<PlannedCell>& cells, const RunOptions& options,
               const std::atomic<bool>& cancelled,
               const std::function<void(CellResult&&)>& on_cell);

}  // namespace tlsmatrix
