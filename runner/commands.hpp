// The subcommands of the tlsmatrix command line.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
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
  std::string peer_ids_option = "--peer";  // how the command line names them, for errors
  // The stacks' known-deviations.yaml files, then those given with --expectations.
  std::vector<std::string> known_deviation_files;
  // Where peers' capability answers are remembered (capability_cache.hpp); empty: every peer
  // is probed.
  std::string probe_cache_dir;
  // Peers given on the command line, not in a catalog (certify's vendor peer): probed with the
  // catalogs' peers; `peer_ids` does not restrict them.
  std::vector<PeerEntry> extra_peers;
  // Running servers (certify --server) with the capabilities the vendor declared: never
  // started nor probed.
  std::vector<Peer> running_servers;
};

// A complete run, as run_command hands it to RunCommandOptions::on_finished.
struct FinishedRun {
  const std::vector<Peer>& peers;
  const std::vector<Suite>& suites;
  const std::vector<CellResult>& cells;
  std::filesystem::path dir;
  std::string run_id;
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
  // Set by tlsmatrix certify: a complete run's exit status is what this returns instead of
  // --fail-on's (it may write more files into the run folder).
  std::function<int(const FinishedRun&)> on_finished;
};

// `tlsmatrix merge`: the output options are run's.
struct MergeCommandOptions {
  std::vector<std::string> shards;  // the shards' run folders (or their matrix.json)
  std::string results_root = "results";
  std::string fail_on = "unexpected";
  std::string trimmed_copy;
  std::size_t max_findings = 25;
  std::optional<std::string> history;  // as RunCommandOptions::history
};

struct HistoryCommandOptions {
  std::string database = "results/history.sqlite";
  std::vector<std::string> record;  // run folders or matrix files to record first
  std::string peer;                 // --peer: a stack's trend
  std::string cell_pattern;
};

int run_command(const CommonOptions& common, RunCommandOptions run, const std::string& command_line,
                const std::atomic<bool>& cancelled);
// Joins the shard folders of one run into one new run folder, the one the run without shards
// would have written (results/README.md, "Shards"); exits like run_command. Throws MergeError,
// naming the file, before anything is written when the shards cannot be merged.
int merge_command(const CommonOptions& common, const MergeCommandOptions& merge,
                  const std::string& command_line);
int peers_command(const CommonOptions& common, bool as_json);
// Validates the suite files and the known-deviation files.
int check_command(const CommonOptions& common);
// Compares two runs (folders or matrix.json files): 1 on regressions, else 0.
int diff_command(const std::string& old_path, const std::string& new_path, bool as_json);
int history_command(const HistoryCommandOptions& options);
// Writes report.html of a run (folder or matrix.json) to `output`, by default beside it.
int report_command(const CommonOptions& common, const std::string& run_path, std::string output);
// Checks one peer against the peer protocol (check_peer.hpp): 0 when no check failed, else 1.
// With `common.peer_ids` (--peer ID) the peer is that catalog entry, root and all.
int check_peer_command(const CommonOptions& common, CheckPeerOptions options, bool as_json,
                       const std::atomic<bool>& cancelled);

}  // namespace tlsmatrix
