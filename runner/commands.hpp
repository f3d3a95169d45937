// The subcommands of the tlsmatrix command line.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "check_peer.hpp"
#include "matrix_runner.hpp"

namespace tlsmatrix {

struct CommonOptions {
  std::string suites_dir;
  std::vector<std::string> catalogs;
  std::vector<std::string> peer_ids;
  // The stacks' known-deviations.yaml files, then those given with --expectations.
  std::vector<std::string> known_deviation_files;
  // Where peers' capability answers are remembered (capability_cache.hpp); empty: every peer
  // is probed.
  std::string probe_cache_dir;
};

struct RunCommandOptions {
  std::vector<std::string> suites;
  RunOptions options;  // jobs 0 = one per CPU, resolved after parsing
  unsigned cell_timeout_s = 20;
  std::string results_root = "results";
  std::string shard;
  std::string fail_on = "unexpected";
  std::string trimmed_copy;  // also write the trimmed matrix here (results/baseline/)
  std::size_t max_findings = 25;
  std::string captures = "failures";  // which cells keep logs/CELL.pcap: failures, all, none
  bool bench = false;
  std::string peer_processes = "reuse";  // or "per-cell" (RunOptions::reuse_peer_processes)
  // The SQLite run history the run is recorded in (run_history.hpp); empty: not recorded.
  // Default: RESULTS_ROOT/history.sqlite.
  std::optional<std::string> history;
};

struct HistoryCommandOptions {
  std::string database = "results/history.sqlite";
  std::vector<std::string> record;  // run folders or matrix files to record first
  std::string peer;                 // --peer: a stack's trend
  std::string cell_pattern;
};

int run_command(const CommonOptions& common, RunCommandOptions run, const std::string& command_line,
                const std::atomic<bool>& cancelled);
int peers_command(const CommonOptions& common, bool as_json);
// Validates the suite files and the known-deviation files.
int check_command(const CommonOptions& common);
// Compares two runs (folders or matrix.json files): 1 on regressions, else 0.
int diff_command(const std::string& old_path, const std::string& new_path, bool as_json);
int history_command(const HistoryCommandOptions& options);
// Checks one peer against the peer protocol (check_peer.hpp): 0 when no check failed, else 1.
int check_peer_command(const CheckPeerOptions& options, bool as_json,
                       const std::atomic<bool>& cancelled);

}  // namespace tlsmatrix
