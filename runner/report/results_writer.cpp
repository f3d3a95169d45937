#include "results_writer.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "defaults_table.hpp"
#include "html_report.hpp"
#include "junit_xml.hpp"
#include "pcap_capture.hpp"
#include "protocol_json.hpp"
#include "safe_text.hpp"
#include "security_summary.hpp"
#include "summary_markdown.hpp"
#include "tally.hpp"
#include "trimmed_matrix.hpp"

namespace tlsmatrix {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Cell ids hold '/' and '>'; file names get a flat, portable form.
std::string file_stem(const std::string& id) {
  std::string out;
  for (char c : id)
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '@') ? c : '_';
  return out;
}

void make_directory(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw ResultsWriteError(fmt::format("cannot create {}: {}", path.string(), ec.message()));
}

}  // namespace

ResultsWriter::ResultsWriter(fs::path root, std::string run_id, const std::vector<Peer>& peers,
                             const std::vector<Suite>& suites, CaptureMode captures)
    : root_(std::move(root)),
      run_id_(std::move(run_id)),
      peers_(peers),
      suites_(suites),
      captures_(captures) {}

void ResultsWriter::make_folder() {
  make_directory(root_);
  // mkdir fails on an existing folder, so two runs can never share one, whatever their clocks.
  for (int attempt = 0;; ++attempt) {
    if (::mkdir(dir().c_str(), 0777) == 0) break;
    const int error = errno;
    if (error != EEXIST || attempt == 100)
      throw ResultsWriteError(
          fmt::format("cannot create {}: {}", dir().string(), std::strerror(error)));
    run_id_ = new_run_id();
  }
  make_directory(dir() / "logs");
  jsonl_.open(dir() / "cells.jsonl");
}

json ResultsWriter::write_cell_files(const CellResult& cell) {
  json logs = json::object();
  const auto stem = file_stem(cell.id);
  const auto keep = [&](const char* role, const std::string& text) {
    if (text.empty()) return;
    const auto rel = fmt::format("logs/{}.{}.log", stem, role);
    write_file(dir() / rel, text);
    logs[role] = rel;
  };
  keep("client", cell.client_log);
  keep("server", cell.server_log);
  const bool capture = !cell.relayed.empty() &&
                       (captures_ == CaptureMode::all || (captures_ == CaptureMode::failures &&
                                                          cell.verdict.status != Status::pass));
  if (capture) {
    const auto rel = fmt::format("logs/{}.pcap", stem);
    write_file(dir() / rel, pcap_capture(cell.relayed));
    logs["capture"] = rel;
  }
  if (!cell.keylog.empty() && (capture || cell.scenario->client.keylog)) {
    std::string text;
    for (const auto& line : cell.keylog) text += line + "\n";
    const auto rel = fmt::format("logs/{}.keylog", stem);
    write_file(dir() / rel, text);
    logs["keylog"] = rel;
  }
  return logs;
}

std::vector<std::string> recorded_log_files(const json& cell) {
  std::vector<std::string> out;
  const auto harness = cell.find("harness");
  if (harness == cell.end() || !harness->is_object() || !harness->contains("logs") ||
      !(*harness)["logs"].is_object())
    throw CellJsonError("harness.logs is missing or not an object");
  const auto id = cell.value("id", "");
  const auto prefix = fmt::format("logs/{}.", file_stem(id));
  for (const auto& [role, path] : (*harness)["logs"].items()) {
    if (!path.is_string())
      throw CellJsonError(fmt::format("harness.logs.{} is not a string", role));
    const auto rel = path.get<std::string>();
    // One file name below logs/, named for this cell: nothing outside the folder, nothing of
    // another cell.
    if (rel.rfind(prefix, 0) != 0 || rel.size() == prefix.size() ||
        rel.find('/', prefix.size()) != std::string::npos)
      throw CellJsonError(
          fmt::format("harness.logs.{} {} is not {}KIND, a log of cell {}", role, rel, prefix, id));
    out.push_back(rel);
  }
  return out;
}

void ResultsWriter::add_recorded(CellResult&& cell, std::string line,
                                 const std::vector<std::string>& logs, const fs::path& from_dir) {
  if (!jsonl_.is_open()) make_folder();
  for (const auto& rel : logs) {
    std::error_code ec;
    fs::copy_file(from_dir / rel, dir() / rel, fs::copy_options::overwrite_existing, ec);
    if (ec)
      throw ResultsWriteError(fmt::format("cannot copy {} to {}: {}", (from_dir / rel).string(),
                                          (dir() / rel).string(), ec.message()));
  }
  jsonl_.append_line(line);
  keep(std::move(cell), std::move(line));
}

void ResultsWriter::add(CellResult&& cell) {
  if (!jsonl_.is_open()) make_folder();
  auto line = json_text(to_json(cell, write_cell_files(cell)));
  jsonl_.append_line(line);
  keep(std::move(cell), std::move(line));
}

void ResultsWriter::keep(CellResult&& cell, std::string line) {
  cell_lines_.push_back(std::move(line));
  // A runner that kept every cell's wire, outcomes and logs grew by tens of kilobytes a cell,
  // and each peer it starts (fork) copies its page tables and then faults on every page the
  // runner writes: a 7400-cell run spent more system time on that than on the cells. The
  // text above is what matrix.json is made of; the reports need only the verdicts.
  cell.client_outcome = cell.server_outcome = cell.wire = cell.fact_sources = nullptr;
  cell.later_connections = nlohmann::json::array();
  std::vector<RelayedBytes>().swap(cell.relayed);
  std::string().swap(cell.client_log);
  std::string().swap(cell.server_log);
  std::vector<std::string>().swap(cell.keylog);
  cells_.push_back(std::move(cell));
}

json peers_json(const std::vector<Peer>& peers_in) {
  json peers = json::array();
  for (const auto& p : peers_in) {
    peers.push_back({{"id", p.entry.id},
                     {"stack", p.entry.stack},
                     {"environment", p.entry.environment},
                     {"command", p.entry.command},
                     {"catalog", p.entry.catalog},
                     {"library", p.capabilities.library},
                     {"library_version", p.capabilities.version},
                     {"capabilities", to_json(p.capabilities)}});
    // A running server (certify --server): no command, and where it was reached.
    if (p.entry.running_server) peers.back()["running_server"] = p.entry.running_server->address();
  }
  return peers;
}

json suites_json(const std::vector<Suite>& suites_in) {
  json suites = json::array();
  for (const auto& s : suites_in) {
    json scenarios = json::array();
    for (const auto& sc : s.scenarios)
      scenarios.push_back({{"id", sc.id}, {"title", sc.title}, {"line", sc.line}});
    suites.push_back(
        {{"id", s.id}, {"title", s.title}, {"file", s.file}, {"scenarios", scenarios}});
  }
  return suites;
}

json ResultsWriter::matrix_json(const RunInfo& info) const {
  json totals = json::object();
  const auto all = tally_all(cells_);
  for (auto s : kAllStatuses) totals[status_name(s)] = all[s];
  totals["cells"] = all.total();
  totals["unexpected"] = all.unexpected;
  // Cells sorted by id so two runs diff cleanly whatever order the workers finished in.
  auto cells = json::array();
  for (const auto& line : cell_lines_) cells.push_back(json::parse(line));
  std::sort(cells.begin(), cells.end(),
            [](const json& a, const json& b) { return a["id"] < b["id"]; });
  json run = {{"id", info.id},
              {"started", info.started},
              {"finished", info.finished},
              {"complete", info.complete},
              {"command", info.command},
              {"jobs", info.jobs},
              {"shard", info.shard},
              {"known_deviation_files", info.known_deviation_files},
              {"peers_ran_as", info.peers_ran_as},
              {"tlsmatrix_version", TLSMATRIX_VERSION}};
  // Only with --filter: shards merge only with the same patterns (shard_merge.cpp).
  if (!info.filters.empty()) run["filters"] = info.filters;
  if (!info.merged_from.empty()) {
    run["merged_from"] = json::array();
    for (const auto& shard : info.merged_from)
      run["merged_from"].push_back({{"id", shard.id}, {"shard", shard.shard}});
  }
  return {{"schema", "tlsmatrix-matrix"},
          {"schema_version", kMatrixSchemaVersion},
          {"peer_protocol", kPeerProtocolVersion},
          {"run", run},
          {"host", info.host.is_null() ? host_info() : info.host},
          {"peers", peers_json(peers_)},
          {"suites", suites_json(suites_)},
          {"totals", totals},
          {"defaults", defaults_json(defaults_entries(suites_, peers_, cells_))},
          {"security", to_json(security_summary(peers_, cells_))},
          {"cells", cells}};
}

bool ResultsWriter::finish(RunInfo info, const fs::path& trimmed_copy) {
  if (!jsonl_.is_open()) return false;
  jsonl_.close();
  info.id = run_id_;
  const auto matrix = matrix_json(info);
  write_file_atomically(dir() / "matrix.json", json_text(matrix, 2) + "\n");
  if (!trimmed_copy.empty()) {
    if (trimmed_copy.has_parent_path()) make_directory(trimmed_copy.parent_path());
    write_file_atomically(trimmed_copy, json_text(trimmed_matrix(matrix), 1) + "\n");
  }
  write_file_atomically(dir() / "summary.md", summary_markdown(info, peers_, suites_, cells_));
  write_file_atomically(dir() / "ci-summary.md",
                        ci_summary_markdown(info, peers_, suites_, cells_));
  write_file_atomically(dir() / "junit.xml", junit_xml(info, suites_, cells_));
  write_file_atomically(dir() / "report.html", html_report(matrix, suites_));
  return true;
}

}  // namespace tlsmatrix
