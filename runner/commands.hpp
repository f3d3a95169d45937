// The subcommands of the tlsmatrix command line.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "matrix_runner.hpp"

namespace tlsmatrix {

struct CommonOptions {
  std::string suites_dir;
  std::vector<std::string> catalogs;
  std::vector<std::string> peer_ids;
};

struct RunCommandOptions {
  std::vector<std::string> suites;
  RunOptions options;  // jobs 0 = one per CPU, resolved after parsing
  unsigned cell_timeout_s = 20;
  std::string results_root = "results";
  std::string shard;
  std::string fail_on = "error";
  std::size_t max_findings = 25;
  bool bench = false;
};

int run_command(const CommonOptions& common, RunCommandOptions run, const std::string& command_line,
                const std::atomic<bool>& cancelled);
int peers_command(const CommonOptions& common, bool as_json);
int check_command(const CommonOptions& common);

}  // namespace tlsmatrix
