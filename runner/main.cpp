// tlsmatrix: runs the scenario suites over every ordered pair of peers and writes the
// compatibility matrix. `tlsmatrix --help` lists the subcommands.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "certify_command.hpp"
#include "commands.hpp"
#include "exit_status.hpp"
#include "known_deviations.hpp"
#include "peer_catalog.hpp"
#include "peer_jail.hpp"
#include "terminal_output.hpp"
#include "utf8_text.hpp"

namespace {

std::atomic<bool> g_cancelled{false};

void on_signal(int) {
  g_cancelled = true;
}

// The environments ci/provision made (host included), when there are any; otherwise the
// peers of this build alone, when it made any.
std::vector<std::string> default_catalogs(const std::filesystem::path& build_dir) {
  std::vector<std::string> found;
  for (const auto& file :
       tlsmatrix::environment_catalogs(TLSMATRIX_SOURCE_DIR "/.cache/environments"))
    found.push_back(file.string());
  if (const auto own = build_dir / "peers.catalog.json";
      found.empty() && std::filesystem::exists(own))
    found.push_back(own.string());
  return found;
}

// A catalog named twice (once by default, once by hand) would list its peers twice.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return a == b || std::filesystem::equivalent(a, b, ec);
}

// Relative to the working directory when below it, so that expected.source in results (and
// the committed baseline) reads "adapters/wolfssl/known-deviations.yaml:6" on every machine.
std::string shown_path(const std::filesystem::path& file) {
  std::error_code ec;
  const auto relative = std::filesystem::relative(file, std::filesystem::current_path(), ec);
  return ec || relative.empty() || *relative.begin() == ".." ? file.string() : relative.string();
}

// ${XDG_CACHE_HOME:-$HOME/.cache}/tlsmatrix/capabilities; empty (no cache) when neither is set.
std::string default_probe_cache() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path base;
  if (xdg && *xdg == '/')  // the XDG spec: a relative value is to be ignored
    base = xdg;
  else if (home && *home)
    base = std::filesystem::path(home) / ".cache";
  else
    return "";
  return (base / "tlsmatrix" / "capabilities").string();
}

std::filesystem::path self_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tlsmatrix;
  CLI::App app{
      "tlsmatrix: TLS interoperability matrix over PSK modes, hybrid groups and downgrades"};
  app.require_subcommand(1);

  CommonOptions common;
  common.suites_dir = TLSMATRIX_SOURCE_DIR "/suites";
  std::vector<std::string> added_catalogs, added_known_deviations;
  bool only_catalogs = false;
  std::string peer_user;
  const auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--peer-user", peer_user,
                    "user the peers run as, when the runner runs as root (default: "
                    "tlsmatrix-peer if it exists, else nobody)");
    cmd->add_option("--suites-dir", common.suites_dir, "folder of suite files and pki/")
        ->capture_default_str();
    cmd->add_option("--catalog", added_catalogs,
                    "peer catalog file to add (repeatable) to the default peers: every "
                    "environment ci/provision made (.cache/environments/*), else this build's");
    cmd->add_flag("--only-catalogs", only_catalogs,
                  "use only the --catalog files given, not the default peers");
    cmd->add_option("--peer", common.peer_ids, "use only these peer ids (repeatable)");
    cmd->add_option("--expectations", added_known_deviations,
                    "known-deviations file to add (repeatable) to adapters/*/"
                    "known-deviations.yaml; format in results/README.md");
  };

  // Only the commands that probe peers take these.
  common.probe_cache_dir = default_probe_cache();
  bool no_probe_cache = false;
  const auto add_probe_cache = [&](CLI::App* cmd) {
    auto* dir = cmd->add_option("--probe-cache", common.probe_cache_dir,
                                "folder that remembers each peer's --capabilities answer until "
                                "its executable or TLS library file changes")
                    ->capture_default_str();
    cmd->add_flag("--no-probe-cache", no_probe_cache,
                  "probe every peer, neither reading nor writing the cache")
        ->excludes(dir);
  };

  RunCommandOptions run;
  auto* run_cmd =
      app.add_subcommand("run", "run suites over all peer pairs and write results/<run>/");
  add_common(run_cmd);
  add_probe_cache(run_cmd);
  run_cmd->add_option("--suite", run.suites, "run only these suites (repeatable)");
  run_cmd->add_option("--filter", run.options.filters,
                      "glob on cell ids suite/scenario/client->server (repeatable)");
  run_cmd->add_option("-j,--jobs", run.options.jobs, "cells in parallel (default: CPU count)");
  run_cmd
      ->add_option("--cell-timeout", run.cell_timeout_s,
                   "seconds before a cell is abandoned as error")
      ->capture_default_str()
      ->check(CLI::Range(1, 600));
  run_cmd->add_option("--results", run.results_root, "where run folders are created")
      ->capture_default_str();
  run_cmd->add_option("--shard", run.shard,
                      "I/N: run every N-th cell starting at I (0-based); defaults to "
                      "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS when set");
  run_cmd
      ->add_option("--fail-on", run.fail_on,
                   "exit 1 when: unexpected = a cell misses its expected result (an error "
                   "always does); error, fail, deviation = a cell has this status or worse, "
                   "known deviations or not; never")
      ->capture_default_str()
      ->check(CLI::IsMember(kFailOnChoices));
  run_cmd
      ->add_option("--max-findings", run.max_findings, "non-passing cells listed on the terminal")
      ->capture_default_str();
  run_cmd->add_option("--trimmed-copy", run.trimmed_copy,
                      "also write the matrix without logs, timings and host details to this "
                      "file (ci/refresh-baseline: results/baseline/matrix.json)");
  run_cmd
      ->add_option("--captures", run.captures,
                   "which cells keep a pcap of what the relay carried (logs/CELL.pcap, beside "
                   "logs/CELL.keylog for tshark -o tls.keylog_file:...): failures = every cell "
                   "that did not pass, all, none")
      ->capture_default_str()
      ->check(CLI::IsMember({"failures", "all", "none"}));
  run_cmd->add_flag("--bench", run.bench, "also print throughput and per-cell harness overhead");
  run_cmd
      ->add_option("--peer-processes", run.peer_processes,
                   "reuse = a peer that can serve many requests (peers/PROTOCOL.md) is started "
                   "once per job and serves cell after cell, each request in a fresh library "
                   "context; per-cell = two new peer processes for every cell")
      ->check(CLI::IsMember({"reuse", "per-cell"}))
      ->capture_default_str();

  run_cmd->add_option("--history", run.history,
                      "SQLite run history to record the run in (default: RESULTS/history.sqlite; "
                      "'' records nothing); see `tlsmatrix history`");

  CertifyOptions certify;
  auto* certify_cmd = app.add_subcommand(
      "certify",
      "certify a vendor's peer: every suite against every reference peer in both roles; "
      "certification.json and .html beside the run's matrix; exit 0 iff every applicable "
      "profile is met");
  add_certify_options(certify_cmd, certify, common);
  certify_cmd->add_option("--peer-user", peer_user, "user the peers run as (see run)");
  certify_cmd->add_option("--suites-dir", common.suites_dir, "folder of suite files and pki/")
      ->capture_default_str();
  certify_cmd->add_option("--catalog", added_catalogs,
                          "reference peer catalog to add (repeatable) to the default peers");
  certify_cmd->add_flag("--only-catalogs", only_catalogs,
                        "use only the --catalog files given as reference peers");
  add_probe_cache(certify_cmd);
  MergeCommandOptions merge;
  auto* merge_cmd = app.add_subcommand(
      "merge",
      "join the shard folders of one run (run --shard I/N) into one new run folder, the one the "
      "run without shards would have written");
  merge_cmd->add_option("SHARD_DIR", merge.shards, "the run folder of each shard 0..N-1")
      ->required();
  merge_cmd->add_option("--suites-dir", common.suites_dir, "folder of suite files and pki/")
      ->capture_default_str();
  merge_cmd->add_option("--results", merge.results_root, "where the merged run folder is created")
      ->capture_default_str();
  merge_cmd
      ->add_option("--fail-on", merge.fail_on,
                   "exit 1 when: as for run (unexpected, error, fail, "
                   "deviation, never)")
      ->capture_default_str()
      ->check(CLI::IsMember(kFailOnChoices));
  merge_cmd
      ->add_option("--max-findings", merge.max_findings, "non-passing cells listed on the terminal")
      ->capture_default_str();
  merge_cmd->add_option("--trimmed-copy", merge.trimmed_copy,
                        "also write the matrix without logs, timings and host details to this "
                        "file");
  merge_cmd->add_option("--history", merge.history,
                        "SQLite run history to record the merged run in (default: "
                        "RESULTS/history.sqlite; '' records nothing)");

  HistoryCommandOptions history;
  auto* history_cmd = app.add_subcommand(
      "history",
      "what recorded runs say: when a cell last changed and between which library versions "
      "(PATTERN), a stack's trend across runs (--peer)");
  history_cmd->add_option("PATTERN", history.cell_pattern,
                          "glob on cell ids suite/scenario/client->server, with or without "
                          "library versions in the peer ids (* also matches / and >)");
  history_cmd->add_option("--db", history.database, "the SQLite run history")
      ->capture_default_str();
  history_cmd->add_option("--peer", history.peer,
                          "a stack (openssl) or a glob on version-free peer ids (openssl@sid)");
  history_cmd->add_option("--record", history.record,
                          "record these run folders or matrix.json files first (repeatable)");

  auto* peers_cmd =
      app.add_subcommand("peers", "list the catalog's peers with their probed library versions");
  add_common(peers_cmd);
  add_probe_cache(peers_cmd);
  bool peers_json = false;
  peers_cmd->add_flag("--json", peers_json, "print full capabilities as JSON");

  auto* check_cmd = app.add_subcommand("check", "validate suite files and list their scenarios");
  add_common(check_cmd);

  std::string diff_old, diff_new;
  bool diff_json = false;
  auto* diff_cmd = app.add_subcommand(
      "diff",
      "compare two runs: regressions, fixes, other changes, new and vanished cells, peer "
      "library versions; exit 1 on regressions");
  diff_cmd->add_option("OLD", diff_old, "run folder or matrix.json")->required();
  diff_cmd->add_option("NEW", diff_new, "run folder or matrix.json")->required();
  diff_cmd->add_flag("--json", diff_json, "print the diff as JSON (results/README.md)");

  std::string report_run, report_output;
  auto* report_cmd = app.add_subcommand(
      "report", "write a run's report.html again (e.g. after the suites' text changed)");
  report_cmd->add_option("RUN", report_run, "run folder or matrix.json")->required();
  report_cmd->add_option("-o,--output", report_output,
                         "the page to write (default: report.html beside matrix.json)");
  report_cmd->add_option("--suites-dir", common.suites_dir, "where the scenarios' text comes from")
      ->capture_default_str();

  std::vector<std::string> check_peer_words;
  CheckPeerOptions check_peer_options;
  std::int64_t check_peer_timeout_ms = check_peer_options.timeout.count();
  bool check_peer_json = false;
  auto* check_peer_cmd = app.add_subcommand(
      "check-peer",
      "check one peer against the peer protocol (peers/PROTOCOL.md) before any matrix: a line "
      "PASS|FAIL|SKIP per check; exit 1 on any FAIL");
  auto* check_peer_command_words =
      check_peer_cmd->add_option("COMMAND", check_peer_words,
                                 "the peer's command, as a catalog's \"command\" lists it: one "
                                 "string split into words as a shell would, nothing expanded "
                                 "('python3 peer.py --flag'; a single existing file is kept "
                                 "whole), or several words after --");
  auto* check_peer_catalog_id =
      check_peer_cmd
          ->add_option("--peer", common.peer_ids,
                       "instead of COMMAND: the peer of this id in the catalogs (as "
                       "for run), run in its environment's root if it has one")
          ->expected(1);
  check_peer_catalog_id->excludes(check_peer_command_words);
  check_peer_cmd->add_option("--catalog", added_catalogs,
                             "with --peer: a peer catalog file to add (as for run)");
  check_peer_cmd->add_flag("--only-catalogs", only_catalogs,
                           "with --peer: use only the --catalog files given");
  check_peer_cmd
      ->add_option("--timeout-ms", check_peer_timeout_ms,
                   "limit for each step (one peer run; the two peers of the handshake); a peer "
                   "still running then is killed with its process group")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000));
  check_peer_cmd->add_flag("--json", check_peer_json, "print the checks as JSON");
  check_peer_cmd->add_option("--peer-user", peer_user,
                             "user the peer runs as, when tlsmatrix runs as root (default: "
                             "tlsmatrix-peer if it exists, else nobody)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end with 0; every bad command line with 2, as results/README.md
    // says of bad input (CLI11's own codes, 100 and more, mean nothing to a caller).
    const int printed = app.exit(e);
    return printed == 0 ? 0 : kExitBadInput;
  }
  // These end up in matrix.json, which is UTF-8: refuse bad bytes before any work is done.
  const auto not_utf8 = [](const char* option, const std::string& value) {
    if (!first_invalid_utf8(value)) return false;
    fmt::print(stderr, "tlsmatrix: {} '{}' is not UTF-8\n", option, escaped_bytes(value));
    return true;
  };
  const auto any_not_utf8 = [&](const char* option, const std::vector<std::string>& values) {
    return std::any_of(values.begin(), values.end(),
                       [&](const std::string& v) { return not_utf8(option, v); });
  };
  if (any_not_utf8("--filter", run.options.filters) || any_not_utf8("--suite", run.suites) ||
      any_not_utf8("--peer", common.peer_ids) || not_utf8("--suites-dir", common.suites_dir))
    return kExitBadInput;
  if (only_catalogs && added_catalogs.empty()) {
    fmt::print(stderr, "tlsmatrix: --only-catalogs needs at least one --catalog FILE\n");
    return kExitBadInput;
  }
  if (!only_catalogs) common.catalogs = default_catalogs(self_dir());
  for (const auto& file : added_catalogs)
    if (std::none_of(common.catalogs.begin(), common.catalogs.end(),
                     [&](const std::string& have) { return same_file(have, file); }))
      common.catalogs.push_back(file);
  for (const auto& file : stack_deviation_files(TLSMATRIX_SOURCE_DIR))
    common.known_deviation_files.push_back(shown_path(file));
  common.known_deviation_files.insert(common.known_deviation_files.end(),
                                      added_known_deviations.begin(), added_known_deviations.end());
  if (no_probe_cache) common.probe_cache_dir.clear();
  if (run.options.jobs == 0) run.options.jobs = std::max(1u, std::thread::hardware_concurrency());
  if (certify.run.options.jobs == 0)
    certify.run.options.jobs = std::max(1u, std::thread::hardware_concurrency());

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  try {
    if (*run_cmd || *peers_cmd || *certify_cmd || *check_peer_cmd)
      use_peer_jail(make_peer_jail(self_dir(), peer_user));
    if (*certify_cmd) return certify_command(common, certify, command_line, g_cancelled);
    if (*run_cmd) return run_command(common, run, command_line, g_cancelled);
    if (*merge_cmd) return merge_command(common, merge, command_line);
    if (*peers_cmd) return peers_command(common, peers_json);
    if (*check_cmd) return check_command(common);
    if (*diff_cmd) return diff_command(diff_old, diff_new, diff_json);
    if (*history_cmd) return history_command(history);
    if (*report_cmd) return report_command(common, report_run, report_output);

    if (*check_peer_cmd) {
      if (check_peer_words.empty() && common.peer_ids.empty())
        throw std::invalid_argument("check-peer needs a peer COMMAND or --peer ID");
      if (!check_peer_words.empty())
        check_peer_options.command = peer_command_from_words(check_peer_words);
      check_peer_options.timeout = std::chrono::milliseconds(check_peer_timeout_ms);
      check_peer_options.pki_dir = std::filesystem::path(common.suites_dir) / "pki";
      return check_peer_command(common, check_peer_options, check_peer_json, g_cancelled);
    }
  } catch (const std::exception& e) {
    tlsmatrix::show(tlsmatrix::TerminalStream::err, fmt::format("tlsmatrix: {}\n", e.what()));
    return kExitBadInput;
  }
  return 0;
}
