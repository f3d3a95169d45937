// `tlsmatrix merge`: the shard folders of one run (`tlsmatrix run --shard I/N`) read back and
// checked, so that ResultsWriter can write them as one run folder, the one the run without
// shards would have written: the cells' lines as they are, the reports computed again over all
// cells. Everything is read and checked before anything is written. results/README.md, "Shards".
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cell_result.hpp"
#include "peer_catalog.hpp"
#include "run_info.hpp"
#include "scenario.hpp"

namespace tlsmatrix {

// Why shards cannot be merged, naming the offending file.
class MergeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RecordedCell {
  CellResult cell;                // read back (cell_from_json), pointing into the MergedShards
  std::string line;               // its line of the shard's cells.jsonl, byte for byte
  std::vector<std::string> logs;  // the log files it names (recorded_log_files), checked present
  std::filesystem::path shard;    // the shard's folder, which holds its logs
};

struct MergedShards {
  // Read back from the shards' matrix.json; the suites loaded from the checkout's suite files.
  // The cells point into both: keep them in place (a move keeps the elements where they are).
  std::vector<Peer> peers;
  std::vector<Suite> suites;
  // Every cell, in the order the run without shards planned them (suite, scenario, client,
  // server).
  std::vector<RecordedCell> cells;
  // The merged run: started and finished those of the first and last shard, jobs the shards'
  // added up, shard "0/1", the shards in merged_from; id and command are left to the caller.
  RunInfo info;
};

// Reads the shard folders (a run folder each, or its matrix.json) and checks that they are
// the complete shards of one run of this tlsmatrix: matrix schema version and peer protocol
// this build's, every shard complete (not interrupted), the same N, each shard 0..N-1 exactly
// once, the same peers, suites and known-deviation files, no cell in two shards, every cell's
// suite and scenario in the checkout's suites (loaded from `suites_dir`, and equal to what the
// shards recorded of them), every log file a cell names present in its shard's logs/.
// Throws MergeError naming the file.
MergedShards read_shards(const std::vector<std::string>& shard_dirs,
                         const std::filesystem::path& suites_dir);

}  // namespace tlsmatrix
