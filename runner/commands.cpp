#include "commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench_report.hpp"
#include "capability_cache.hpp"
#include "certify_command.hpp"
#include "exit_status.hpp"
#include "html_report.hpp"
#include "known_deviations.hpp"
#include "matrix_diff.hpp"
#include "peer_catalog.hpp"
#include "peer_jail.hpp"
#include "protocol_json.hpp"
#include "results_writer.hpp"
#include "run_history.hpp"
#include "safe_text.hpp"
#include "scenario_loader.hpp"
#include "shard_merge.hpp"
#include "terminal_output.hpp"
#include "terminal_report.hpp"

namespace tlsmatrix {
namespace {

// Once per run. A peer's probe normally takes a second or two, but it runs again, alone and
// with more time, every handshake that timed out while all peers probed at once.
constexpr std::chrono::milliseconds kProbeTimeout{60000};

// The catalogs' entries, only those of `peer_ids` when it names some.
std::vector<PeerEntry> catalog_entries(const CommonOptions& common) {
  if (common.catalogs.empty())
    throw CatalogError(
        "no peer catalog: build the peers (ci/build), provision environments (ci/provision) or "
        "pass --catalog FILE");
  std::vector<PeerEntry> entries;
  for (const auto& file : common.catalogs)
    for (auto& e : load_catalog(file)) entries.push_back(std::move(e));
  if (!common.peer_ids.empty()) {
    for (const auto& id : common.peer_ids)
      if (std::none_of(entries.begin(), entries.end(), [&](const auto& e) { return e.id == id; }))
        throw CatalogError(fmt::format("{} {}: no such peer in {}", common.peer_ids_option, id,
                                       fmt::join(common.catalogs, ", ")));
    std::erase_if(entries, [&](const auto& e) {
      return std::find(common.peer_ids.begin(), common.peer_ids.end(), e.id) ==
             common.peer_ids.end();
    });
  }
  return entries;
}

std::vector<Peer> load_peers(const CommonOptions& common,
                             const std::atomic<bool>& cancelled = kNeverCancelled) {
  auto entries = catalog_entries(common);
  const auto add_given = [&entries](const PeerEntry& extra) {
    if (std::any_of(entries.begin(), entries.end(),
                    [&](const auto& e) { return e.id == extra.id; }))
      throw CatalogError(fmt::format("peer id {} is already in the catalogs", extra.id));
  };
  for (const auto& extra : common.extra_peers) {
    add_given(extra);
    entries.push_back(extra);
  }
  for (const auto& running : common.running_servers) add_given(running.entry);
  if (entries.empty()) throw CatalogError("the peer catalog lists no peers");
  const auto with_running_servers = [&common](std::vector<Peer> peers) {
    peers.insert(peers.end(), common.running_servers.begin(), common.running_servers.end());
    return peers;
  };
  if (common.probe_cache_dir.empty())
    return with_running_servers(probe_peers(entries, kProbeTimeout, cancelled));
  const CapabilityCache cache(common.probe_cache_dir);
  auto probed = probe_peers(entries, kProbeTimeout, &cache, cancelled);
  // Said every time, so that nobody mistakes a remembered answer for a fresh one.
  show(TerminalStream::err,
       fmt::format("capabilities: {} of {} peers from cache {} (binary and library unchanged){}\n",
                   probed.from_cache, probed.peers.size(), cache.dir().string(),
                   probed.not_kept == 0
                       ? ""
                       : fmt::format("; writing {} new answers there failed", probed.not_kept)));
  return with_running_servers(std::move(probed.peers));
}

// "I/N", or the GoogleTest sharding variables that CI systems already set.
void apply_shard(const std::string& spec, RunOptions& options) {
  std::string text = spec;
  if (text.empty()) {
    const char* index = std::getenv("GTEST_SHARD_INDEX");
    const char* total = std::getenv("GTEST_TOTAL_SHARDS");
    if (!index || !total) return;
    text = fmt::format("{}/{}", index, total);
  }
  unsigned i = 0, n = 0;
  char slash = 0;
  if (std::sscanf(text.c_str(), "%u%c%u", &i, &slash, &n) != 3 || slash != '/' || n == 0 || i >= n)
    throw std::invalid_argument(fmt::format("shard '{}' is not I/N with 0 <= I < N", text));
  options.shard_index = i;
  options.shard_count = n;
}

KnownDeviations load_known_deviations(const std::vector<std::string>& files) {
  KnownDeviations out;
  for (const auto& file : files) out.add_file(file);
  return out;
}

// Records a finished run (or merge) in the run history (`history`: --history, unset for
// RESULTS_ROOT/history.sqlite, empty for none); false, after saying why, when it could not.
bool record_in_history(const std::optional<std::string>& history, const std::string& results_root,
                       RunInfo info, const ResultsWriter& writer, const std::vector<Peer>& peers) {
  const auto file =
      history.value_or((std::filesystem::path(results_root) / "history.sqlite").string());
  if (file.empty()) return true;
  try {
    info.id = writer.run_id();  // the writer draws another id when its folder was taken
    RunHistory(file).record(run_record(info, peers, writer.cells()));
    return true;
  } catch (const HistoryError& e) {
    show(TerminalStream::err,
         fmt::format("tlsmatrix: {}; the results are in {}\n", e.what(), writer.dir().string()));
    return false;
  }
}

void show_results_line(const ResultsWriter& writer) {
  show(TerminalStream::out,
       fmt::format("\nResults: {}/report.html, matrix.json, summary.md\n", writer.dir().string()));
}

}  // namespace

int run_command(const CommonOptions& common, RunCommandOptions run, const std::string& command_line,
                const std::atomic<bool>& cancelled) {
  const TestPki pki(std::filesystem::path(common.suites_dir) / "pki");
  const auto suites = load_suites(common.suites_dir, pki, run.suites);
  const auto peers = load_peers(common, cancelled);
  const auto known_deviations = load_known_deviations(common.known_deviation_files);
  run.options.known_deviations = &known_deviations;
  apply_shard(run.shard, run.options);
  run.options.cell_timeout = std::chrono::seconds(run.cell_timeout_s);
  run.options.reuse_peer_processes = run.peer_processes == "reuse";
  const auto cells = plan_cells(suites, peers, run.options);
  if (cells.empty())
    throw std::invalid_argument("no cell matches the suites, peers, filters and shard given");

  RunInfo info;
  info.id = new_run_id();
  info.started = utc_timestamp();
  info.command = command_line;
  info.jobs = run.options.jobs;
  info.shard = fmt::format("{}/{}", run.options.shard_index, run.options.shard_count);
  info.known_deviation_files = common.known_deviation_files;
  info.filters = run.options.filters;
  info.peers_ran_as = peer_jail().user;
  const auto captures = run.captures == "all"    ? CaptureMode::all
                        : run.captures == "none" ? CaptureMode::none
                                                 : CaptureMode::failures;
  ResultsWriter writer(run.results_root, info.id, peers, suites, captures);

  show(TerminalStream::err,
       fmt::format("tlsmatrix: {} cells ({} suites, {} peers, {} jobs) -> {}\n", cells.size(),
                   suites.size(), peers.size(), run.options.jobs, writer.dir().string()));
  ProgressLine progress(cells.size(), TerminalStream::err);
  const auto start = std::chrono::steady_clock::now();
  const auto cpu_start = cpu_usage_now();  // bench: the cell phase's CPU, runner and peers
  // A results file that cannot be written stops the run at once: every cell after it would be
  // lost too. What was written stays whole.
  std::string write_failure;
  try {
    run_cells(cells, run.options, cancelled, [&](CellResult&& cell) {
      writer.add(std::move(cell));  // first: the progress counts only what is written
      progress.cell_done(writer.cells().back());
    });
  } catch (const ResultsWriteError& e) {
    write_failure = e.what();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto cell_phase_cpu = cpu_usage_now() - cpu_start;  // every peer is reaped by now
  progress.finish();
  info.finished = utc_timestamp();
  info.complete = write_failure.empty() && !cancelled && writer.cells().size() == cells.size();
  bool written = false;
  try {
    written = writer.finish(info, run.trimmed_copy);
  } catch (const ResultsWriteError& e) {
    if (write_failure.empty()) write_failure = e.what();
  }
  if (!write_failure.empty()) {
    show(TerminalStream::err,
         fmt::format("tlsmatrix: {}; run stopped: {} of {} cells are in {}\n", write_failure,
                     writer.cells().size(), cells.size(), (writer.dir() / "cells.jsonl").string()));
    return kExitResultsNotWritten;
  }
  if (!written) {
    show(TerminalStream::err,
         "tlsmatrix: interrupted before any cell finished; no results "
         "folder was made\n");
    return kExitInterrupted;
  }

  // Recorded before anything is printed: a closed terminal must not keep the run out of it.
  if (!record_in_history(run.history, run.results_root, info, writer, peers))
    return kExitResultsNotWritten;
  show(TerminalStream::out, matrix_tables_text(peers, suites, writer.cells(), run.max_findings));
  if (run.bench)
    show(TerminalStream::out,
         "\n" + bench_report_text(writer.cells(), seconds, run.options.jobs, cell_phase_cpu));
  show_results_line(writer);
  if (!info.complete) {
    show(TerminalStream::err,
         fmt::format("tlsmatrix: interrupted after {} of {} cells; the results hold those\n",
                     writer.cells().size(), cells.size()));
    return kExitInterrupted;
  }
  if (run.on_finished)
    return run.on_finished({peers, suites, writer.cells(), writer.dir(), writer.run_id()});
  return exit_status(tally_all(writer.cells()), run.fail_on);
}

int merge_command(const CommonOptions& common, const MergeCommandOptions& merge,
                  const std::string& command_line) {
  // Everything is read and checked before the results folder is made.
  auto shards = read_shards(merge.shards, common.suites_dir);
  auto& info = shards.info;
  info.id = new_run_id();
  info.command = command_line;
  ResultsWriter writer(merge.results_root, info.id, shards.peers, shards.suites);
  show(TerminalStream::err,
       fmt::format("tlsmatrix: merging {} shard{}, {} cells -> {}\n", info.merged_from.size(),
                   info.merged_from.size() == 1 ? "" : "s", shards.cells.size(),
                   writer.dir().string()));
  try {
    for (auto& recorded : shards.cells)
      writer.add_recorded(std::move(recorded.cell), std::move(recorded.line), recorded.logs,
                          recorded.shard);
    writer.finish(info, merge.trimmed_copy);
  } catch (const ResultsWriteError& e) {
    show(TerminalStream::err,
         fmt::format("tlsmatrix: {}; merge stopped: {} of {} cells are in {}\n", e.what(),
                     writer.cells().size(), shards.cells.size(),
                     (writer.dir() / "cells.jsonl").string()));
    return kExitResultsNotWritten;
  }
  if (!record_in_history(merge.history, merge.results_root, info, writer, shards.peers))
    return kExitResultsNotWritten;
  show(TerminalStream::out,
       matrix_tables_text(shards.peers, shards.suites, writer.cells(), merge.max_findings));
  show_results_line(writer);
  return exit_status(tally_all(writer.cells()), merge.fail_on);
}

int peers_command(const CommonOptions& common, bool as_json) {
  const auto peers = load_peers(common);
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : peers)
      out.push_back({{"id", p.entry.id},
                     {"environment", p.entry.environment},
                     {"command", p.entry.command},
                     {"capabilities", to_json(p.capabilities)}});
    fmt::print("{}\n", json_text(out, 2));
    return 0;
  }
  fmt::print("{:<28} {:<10} {:<10} {:<12} {}\n", "id", "library", "version", "environment",
             "groups");
  for (const auto& p : peers)
    fmt::print("{:<28} {:<10} {:<10} {:<12} {}\n", p.entry.id, p.capabilities.library,
               p.capabilities.version, p.entry.environment,
               fmt::join(implemented_items(p.capabilities.groups, Role::client), ","));
  return 0;
}

int check_command(const CommonOptions& common) {
  const TestPki pki(std::filesystem::path(common.suites_dir) / "pki");
  std::vector<std::string> skipped;
  const auto suites = load_suites(common.suites_dir, pki, {}, &skipped);
  for (const auto& line : skipped) fmt::print("{}\n", line);
  std::size_t scenarios = 0;
  for (const auto& s : suites) {
    fmt::print("{} ({}): {}\n", s.id, s.file, s.title);
    for (const auto& sc : s.scenarios) fmt::print("  {:<40} {}\n", sc.id, sc.title);
    scenarios += s.scenarios.size();
  }
  fmt::print("{} suites, {} scenarios: all valid\n", suites.size(), scenarios);
  const auto known_deviations = load_known_deviations(common.known_deviation_files);
  fmt::print("{} known deviations in {} files: all valid\n", known_deviations.entries().size(),
             common.known_deviation_files.size());
  return 0;
}

int history_command(const HistoryCommandOptions& options) {
  RunHistory history(options.database);
  for (const auto& path : options.record) {
    const auto recorded = history.record(run_record(load_matrix(path)));
    show(TerminalStream::out, fmt::format("recorded {}: {} cells\n", path, recorded));
  }
  if (!options.peer.empty())
    show(TerminalStream::out, peer_runs_text(options.peer, history.peer_runs(options.peer)));
  if (!options.cell_pattern.empty())
    show(TerminalStream::out, cell_history_text(history.cells(options.cell_pattern)));
  if (options.record.empty() && options.peer.empty() && options.cell_pattern.empty())
    show(TerminalStream::out,
         fmt::format("{}: {} recorded runs\n", options.database, history.run_count()));
  return 0;
}

int report_command(const CommonOptions& common, const std::string& run_path, std::string output) {
  const auto matrix = load_matrix(run_path);
  if (output.empty())
    output = (std::filesystem::path(matrix.path).parent_path() / "report.html").string();
  const TestPki pki(std::filesystem::path(common.suites_dir) / "pki");
  const auto suites = load_suites(common.suites_dir, pki, {});
  std::string page;
  try {
    page = html_report(matrix.matrix, suites);
  } catch (const std::exception& e) {
    throw MatrixFileError(fmt::format("{}: {}", matrix.path, e.what()));
  }
  write_file_atomically(output, page);
  show(TerminalStream::out,
       fmt::format("wrote {} ({} cells)\n", output, matrix.matrix["cells"].size()));
  return 0;
}

int check_peer_command(const CommonOptions& common, CheckPeerOptions options, bool as_json,
                       const std::atomic<bool>& cancelled) {
  if (common.peer_ids.size() > 1)
    throw std::invalid_argument("check-peer checks one peer: give --peer once");
  if (!common.peer_ids.empty()) {  // --peer ID: a catalog's peer, in its root if it has one
    const auto entries = catalog_entries(common);
    options.command = entries.front().command;
    options.root = entries.front().root;
  }
  // A program that is not there would fail every check alike: one error says it once. (One in
  // a root is the catalog's to name, and the jail's to find.)
  if (!options.command.empty() && options.root.empty()) try {
      resolve_program(options.command.front(), program_search_path());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("check-peer: {}", e.what()));
    }
  const auto reports = check_peer(options, cancelled);
  if (as_json)
    show(TerminalStream::out, json_text(check_reports_json(options, reports), 2) + "\n");
  else
    show(TerminalStream::out, check_reports_text(reports));
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& r : reports) ++counts[static_cast<int>(r.status)];
  show(TerminalStream::err,
       fmt::format("check-peer: {} checks: {} passed, {} failed, {} skipped ({})\n", reports.size(),
                   counts[0], counts[1], counts[2], fmt::join(options.command, " ")));
  if (cancelled) return kExitInterrupted;
  return any_failed(reports) ? 1 : 0;
}

int diff_command(const std::string& old_path, const std::string& new_path, bool as_json) {
  const auto diff = diff_matrices(load_matrix(old_path), load_matrix(new_path));
  if (as_json)
    show(TerminalStream::out, json_text(to_json(diff), 2) + "\n");
  else
    show(TerminalStream::out, diff_text(diff));
  return diff.regressions.empty() ? 0 : 1;
}

}  // namespace tlsmatrix
