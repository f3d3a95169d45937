#include "shard_merge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <tuple>

#include "matrix_diff.hpp"
#include "protocol_json.hpp"
#include "results_writer.hpp"
#include "scenario_loader.hpp"
#include "test_pki.hpp"

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Shard {
  fs::path dir;
  std::string file;  // its matrix.json, as messages name it
  json matrix;
  unsigned index = 0, count = 0;
  const json& run() const { return matrix["run"]; }
};

std::string shard_text(const Shard& s) {
  return fmt::format("{}/{}", s.index, s.count);
}

const json& run_field(const json& run, const char* key, const std::string& file) {
  const auto it = run.find(key);
  if (it == run.end()) throw MergeError(fmt::format("{}: run has no '{}'", file, key));
  return *it;
}

std::string run_text(const json& run, const char* key, const std::string& file) {
  const auto& value = run_field(run, key, file);
  if (!value.is_string()) throw MergeError(fmt::format("{}: run.{} is not a string", file, key));
  return value.get<std::string>();
}

Shard read_shard(const std::string& given) {
  Shard s;
  s.dir = given;
  std::error_code ec;
  if (s.dir.filename() == "matrix.json" && fs::is_regular_file(s.dir, ec))
    s.dir = s.dir.has_parent_path() ? s.dir.parent_path() : fs::path(".");
  if (!fs::is_directory(s.dir, ec))
    throw MergeError(
        fmt::format("{}: not a run folder (the folder `tlsmatrix run --shard I/N` "
                    "wrote)",
                    given));
  MatrixFile file;
  try {
    file = load_matrix(s.dir.string());
  } catch (const MatrixFileError& e) {
    throw MergeError(e.what());
  }
  s.file = file.path;
  s.matrix = std::move(file.matrix);
  const auto& m = s.matrix;
  if (m.contains("trimmed") && m["trimmed"] == true)
    throw MergeError(
        fmt::format("{}: a trimmed matrix: it keeps no cell lines or logs to merge", s.file));
  if (m["schema_version"] != kMatrixSchemaVersion)
    throw MergeError(fmt::format(
        "{}: matrix schema_version {}; merge reads only version {}, the one this tlsmatrix "
        "writes: merge with the tlsmatrix that ran the shards",
        s.file, m["schema_version"].dump(), kMatrixSchemaVersion));
  if (!m.contains("peer_protocol") || m["peer_protocol"] != kPeerProtocolVersion)
    throw MergeError(fmt::format(
        "{}: its peers spoke peer protocol {}, this tlsmatrix speaks {}", s.file,
        m.contains("peer_protocol") ? m["peer_protocol"].dump() : "(none)", kPeerProtocolVersion));
  if (!m.contains("run") || !m["run"].is_object())
    throw MergeError(fmt::format("{}: has no 'run' object", s.file));
  const auto& run = s.run();
  if (const auto version = run_text(run, "tlsmatrix_version", s.file); version != TLSMATRIX_VERSION)
    throw MergeError(fmt::format("{}: written by tlsmatrix {}, this is tlsmatrix {}", s.file,
                                 version, TLSMATRIX_VERSION));
  if (run_field(run, "complete", s.file) != true)
    throw MergeError(fmt::format(
        "{}: an interrupted run (run.complete is false): the shard lacks cells; run shard {} "
        "again",
        s.file, run.value("shard", "?")));
  const auto spec = run_text(run, "shard", s.file);
  char extra = 0;
  if (std::sscanf(spec.c_str(), "%u/%u%c", &s.index, &s.count, &extra) != 2 || s.count == 0 ||
      s.index >= s.count)
    throw MergeError(fmt::format("{}: run.shard '{}' is not I/N with 0 <= I < N", s.file, spec));
  return s;
}

// The first entry (by id) of two lists of objects with ids that tells them apart.
std::string first_difference(const json& a, const json& b, const char* what) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i >= a.size() || i >= b.size() || a[i].value("id", "") != b[i].value("id", ""))
      return fmt::format("{} {} against {}", what, i < a.size() ? a[i].value("id", "?") : "(none)",
                         i < b.size() ? b[i].value("id", "?") : "(none)");
    if (a[i] != b[i]) return fmt::format("{} {} differs", what, a[i].value("id", "?"));
  }
  return "";
}

// Every shard is one of the same run: same N, each index once, the same peers, suites and
// known-deviation files. Returns the shards ordered by index.
std::vector<Shard> check_shards(std::vector<Shard> shards) {
  const auto& first = shards.front();
  for (const auto& s : shards)
    if (s.count != first.count)
      throw MergeError(
          fmt::format("{}: shard {}, but {} is shard {}: shards of one run have the "
                      "same N",
                      s.file, shard_text(s), first.file, shard_text(first)));
  std::map<unsigned, const Shard*> by_index;
  for (const auto& s : shards)
    if (const auto [it, fresh] = by_index.emplace(s.index, &s); !fresh)
      throw MergeError(fmt::format("{}: shard {} given twice (also {})", s.file, shard_text(s),
                                   it->second->file));
  std::vector<std::string> missing;
  for (unsigned i = 0; i < first.count; ++i)
    if (!by_index.count(i)) missing.push_back(fmt::format("{}/{}", i, first.count));
  if (!missing.empty()) {
    std::vector<std::string> given;
    for (const auto& [index, s] : by_index)
      given.push_back(fmt::format("{} {}", s->file, shard_text(*s)));
    throw MergeError(fmt::format("shard {} missing (given: {})", fmt::join(missing, ", "),
                                 fmt::join(given, ", ")));
  }
  std::sort(shards.begin(), shards.end(),
            [](const Shard& a, const Shard& b) { return a.index < b.index; });
  const auto& base = shards.front();
  for (const auto& s : shards) {
    if (s.matrix["peers"] != base.matrix["peers"])
      throw MergeError(
          fmt::format("{}: other peers than {} ({}): shards of another run?", s.file, base.file,
                      first_difference(s.matrix["peers"], base.matrix["peers"], "peer")));
    const auto suites = s.matrix.value("suites", json::array());
    if (!suites.is_array() || suites != base.matrix.value("suites", json::array()))
      throw MergeError(fmt::format(
          "{}: other suites than {} ({}): shards of another run?", s.file, base.file,
          first_difference(suites, base.matrix.value("suites", json::array()), "suite")));
    if (run_field(s.run(), "known_deviation_files", s.file) !=
        run_field(base.run(), "known_deviation_files", base.file))
      throw MergeError(fmt::format("{}: other known-deviation files than {} ({} against {})",
                                   s.file, base.file, s.run()["known_deviation_files"].dump(),
                                   base.run()["known_deviation_files"].dump()));
    // The cells a shard holds depend on its --filter: shards of other patterns would merge
    // into a run that no single command made (absent: no --filter).
    if (s.run().value("filters", json::array()) != base.run().value("filters", json::array()))
      throw MergeError(
          fmt::format("{}: other --filter patterns than {} ({} against {}): shards of another run?",
                      s.file, base.file, s.run().value("filters", json::array()).dump(),
                      base.run().value("filters", json::array()).dump()));
  }
  return shards;
}

// The suites the shards ran, from the checkout's suite files; each as the shards recorded it
// (ids, titles, scenarios and their lines), or the shards ran other suite files.
std::vector<Suite> load_checkout_suites(const Shard& base, const fs::path& suites_dir) {
  if (!base.matrix.contains("suites") || !base.matrix["suites"].is_array())
    throw MergeError(fmt::format("{}: has no 'suites' list", base.file));
  const auto& recorded = base.matrix["suites"];
  std::vector<std::string> ids;
  for (const auto& s : recorded) {
    if (!s.is_object() || !s.contains("id") || !s["id"].is_string() || !s.contains("file") ||
        !s["file"].is_string())
      throw MergeError(fmt::format("{}: a suite without a string 'id' and 'file'", base.file));
    ids.push_back(s["id"].get<std::string>());
  }
  std::vector<Suite> suites;
  try {
    suites = load_suites(suites_dir, TestPki(suites_dir / "pki"), ids);
  } catch (const std::exception& e) {
    throw MergeError(fmt::format("{}: its suites are not the checkout's: {}", base.file, e.what()));
  }
  for (std::size_t i = 0; i < suites.size() && i < recorded.size(); ++i) {
    // Where the shards' checkout kept the file, which need not be this one's folder.
    const auto here = suites[i].file;
    suites[i].file = recorded[i]["file"].get<std::string>();
    if (suites_json({suites[i]})[0] != recorded[i])
      throw MergeError(
          fmt::format("{}: suite {} is not what {} holds now (its scenarios, their titles or lines "
                      "changed): merge in the checkout the shards ran from",
                      base.file, recorded[i]["id"].get<std::string>(), here));
  }
  if (suites.size() != recorded.size())
    throw MergeError(fmt::format("{}: lists {} suites, the checkout has {} of them", base.file,
                                 recorded.size(), suites.size()));
  return suites;
}

std::vector<Peer> read_peers(const Shard& base) {
  std::vector<Peer> peers;
  for (const auto& p : base.matrix["peers"]) {
    const auto id = p.is_object() ? p.value("id", "?") : "?";
    try {
      Peer peer;
      peer.entry.id = p.at("id").get<std::string>();
      peer.entry.stack = p.at("stack").get<std::string>();
      peer.entry.environment = p.at("environment").get<std::string>();
      peer.entry.command = p.at("command").get<std::vector<std::string>>();
      peer.entry.catalog = p.at("catalog").get<std::string>();
      peer.capabilities = capabilities_from_json(p.at("capabilities"));
      peers.push_back(std::move(peer));
    } catch (const std::exception& e) {
      throw MergeError(fmt::format("{}: peer {} cannot be read back: {}", base.file, id, e.what()));
    }
  }
  // Written again, each peer must be what the shards wrote.
  if (const auto again = peers_json(peers); again != base.matrix["peers"])
    throw MergeError(fmt::format("{}: {} does not read back as it was written", base.file,
                                 first_difference(again, base.matrix["peers"], "peer")));
  return peers;
}

void read_cells(const Shard& shard, MergedShards& out, std::map<std::string, std::string>& seen) {
  const auto path = (shard.dir / "cells.jsonl").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MergeError(fmt::format("{}: cannot open it", path));
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    const auto where = fmt::format("{}:{}", path, ++number);
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error& e) {
      throw MergeError(fmt::format("{}: not JSON: {}", where, e.what()));
    }
    CellResult cell;
    std::vector<std::string> logs;
    try {
      cell = cell_from_json(j, out.suites, out.peers);
      logs = recorded_log_files(j);
    } catch (const CellJsonError& e) {
      throw MergeError(fmt::format("{}: {}", where, e.what()));
    }
    for (const auto& rel : logs) {
      std::error_code ec;
      if (!fs::is_regular_file(fs::symlink_status(shard.dir / rel, ec)))
        throw MergeError(fmt::format("{}: cell {} names {}, which is not a file there", where,
                                     cell.id, (shard.dir / rel).string()));
    }
    if (const auto [it, fresh] = seen.emplace(cell.id, where); !fresh)
      throw MergeError(fmt::format("{}: cell {} is also in {}: a cell in two shards", where,
                                   cell.id, it->second));
    out.cells.push_back({std::move(cell), std::move(line), std::move(logs), shard.dir});
  }
  if (in.bad()) throw MergeError(fmt::format("{}: cannot read it", path));
  const auto listed = shard.matrix["cells"].size();
  if (number != listed)
    throw MergeError(
        fmt::format("{}: {} cells, but {} lists {}", path, number, shard.file, listed));
}

}  // namespace

MergedShards read_shards(const std::vector<std::string>& shard_dirs, const fs::path& suites_dir) {
  if (shard_dirs.empty()) throw MergeError("no shard folder given");
  std::vector<Shard> given;
  for (const auto& dir : shard_dirs) given.push_back(read_shard(dir));
  const auto shards = check_shards(std::move(given));
  const auto& base = shards.front();

  MergedShards out;
  out.suites = load_checkout_suites(base, suites_dir);
  out.peers = read_peers(base);
  std::map<std::string, std::string> seen;  // cell id -> where it was read
  for (const auto& s : shards) read_cells(s, out, seen);
  // The order in which the run without shards planned the cells.
  const auto position = [&](const CellResult& c) {
    const auto suite = c.suite - out.suites.data();
    const auto scenario = c.scenario - c.suite->scenarios.data();
    return std::tuple(suite, scenario, c.client - out.peers.data(), c.server - out.peers.data());
  };
  std::sort(out.cells.begin(), out.cells.end(), [&](const RecordedCell& a, const RecordedCell& b) {
    return position(a.cell) < position(b.cell);
  });

  auto& info = out.info;
  info.started = run_text(base.run(), "started", base.file);
  info.finished = run_text(base.run(), "finished", base.file);
  info.complete = true;
  info.jobs = 0;
  info.shard = "0/1";
  for (const auto& s : shards) {
    info.started = std::min(info.started, run_text(s.run(), "started", s.file));
    info.finished = std::max(info.finished, run_text(s.run(), "finished", s.file));
    const auto& jobs = run_field(s.run(), "jobs", s.file);
    if (!jobs.is_number_unsigned())
      throw MergeError(fmt::format("{}: run.jobs is not a count", s.file));
    info.jobs += jobs.get<unsigned>();
    info.merged_from.push_back({run_text(s.run(), "id", s.file), shard_text(s)});
  }
  info.known_deviation_files =
      run_field(base.run(), "known_deviation_files", base.file).get<std::vector<std::string>>();
  try {
    info.filters = base.run().value("filters", json::array()).get<std::vector<std::string>>();
  } catch (const json::exception&) {
    throw MergeError(fmt::format("{}: run.filters is not a list of strings", base.file));
  }
  info.peers_ran_as = run_text(base.run(), "peers_ran_as", base.file);
  // The host the shards ran on when they agree; else this one's.
  if (std::all_of(shards.begin(), shards.end(), [&](const Shard& s) {
        return s.matrix.value("host", json()) == base.matrix.value("host", json());
      }))
    info.host = base.matrix.value("host", json());
  return out;
}

}  // namespace tlsmatrix
