// Facts about one run that every report repeats: when, where, with what.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tlsmatrix {

struct RunInfo {
  std::string id;  // also the results folder name
  std::string started;
  std::string finished;
  std::string command;
  bool complete = false;  // false when interrupted: the matrix holds what finished
  unsigned jobs = 1;
  std::string shard;                               // "1/1"
  std::vector<std::string> known_deviation_files;  // in the order they were loaded
  std::vector<std::string> filters;                // --filter patterns; empty: every cell
  std::string peers_ran_as;                        // "tlsmatrix-peer (uid 998)"
  // A run merged from shards (`tlsmatrix merge`): each shard's run id and "I/N", in shard order;
  // empty for a run that ran its cells itself.
  struct Shard {
    std::string id, shard;
  };
  std::vector<Shard> merged_from;
  // What matrix.json says of the host the cells ran on; null: this one (host_info()).
  nlohmann::json host;
};

// Hostname, OS, kernel, CPU model and count, memory: what a figure needs beside it.
nlohmann::json host_info();
std::string utc_timestamp();  // 2026-11-26T06:40:12Z
std::string new_run_id();     // 20261126T064012Z-1a2b3c4d

}  // namespace tlsmatrix
