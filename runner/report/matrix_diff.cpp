#include "matrix_diff.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "cell_result.hpp"
#include "results_writer.hpp"

namespace tlsmatrix {
namespace {

using nlohmann::json;

std::string text_field(const json& object, const char* key, const MatrixFile& file,
                       const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string())
    throw MatrixFileError(fmt::format("{}: {} has no string '{}'", file.path, where, key));
  return it->get<std::string>();
}

}  // namespace

std::string versionless(const std::string& id, const std::string& version) {
  if (version.empty()) return id;
  const auto at = id.find("-" + version);
  return at == std::string::npos ? id : id.substr(0, at) + id.substr(at + 1 + version.size());
}

IndexedMatrix index_matrix(const MatrixFile& file) {
  const auto& m = file.matrix;
  IndexedMatrix out;
  std::map<std::string, std::string> peer_keys;  // peer id -> version-free id
  for (const auto& p : m.at("peers")) {
    const auto id = text_field(p, "id", file, "a peer");
    const auto version = p.contains("library_version") && p["library_version"].is_string()
                             ? p["library_version"].get<std::string>()
                             : std::string();
    const auto key = versionless(id, version);
    const auto stack =
        p.contains("stack") && p["stack"].is_string() ? p["stack"].get<std::string>() : "";
    if (!out.peers.emplace(key, IndexedPeer{id, stack, version}).second)
      throw MatrixFileError(fmt::format("{}: peers {} and {} differ only in library version",
                                        file.path, out.peers[key].id, id));
    peer_keys[id] = key;
  }
  const auto peer_key = [&](const std::string& id) {
    const auto it = peer_keys.find(id);
    if (it == peer_keys.end())
      throw MatrixFileError(
          fmt::format("{}: a cell names peer {}, which is not in peers", file.path, id));
    return it->second;
  };
  for (const auto& c : m.at("cells")) {
    CellState cell{text_field(c, "id", file, "a cell"), "", "", "", "", ""};
    const auto where = "cell " + cell.id;
    cell.client = text_field(c, "client", file, where);
    cell.server = text_field(c, "server", file, where);
    cell.status = text_field(c, "status", file, where);
    if (c.contains("match")) cell.match = text_field(c, "match", file, where);
    if (c.contains("reason") && c["reason"].is_string())
      cell.reason = c["reason"].get<std::string>();
    const auto key =
        cell_id(text_field(c, "suite", file, where), text_field(c, "scenario", file, where),
                peer_key(cell.client), peer_key(cell.server));
    if (!out.cells.emplace(key, std::move(cell)).second)
      throw MatrixFileError(fmt::format("{}: two cells are {}", file.path, key));
  }
  return out;
}

namespace {

bool is_regression(const CellState& old_cell, const CellState& new_cell) {
  return (old_cell.status == "pass" && new_cell.status != "pass") ||
         (old_cell.match == "expected" && new_cell.match == "unexpected");
}

bool is_fix(const CellState& old_cell, const CellState& new_cell) {
  return (old_cell.status != "pass" && new_cell.status == "pass") ||
         (old_cell.match == "unexpected" && new_cell.match == "expected");
}

json cell_json(const std::optional<CellState>& cell) {
  if (!cell) return nullptr;
  return {{"id", cell->id},
          {"status", cell->status},
          {"match", cell->match.empty() ? json() : json(cell->match)},
          {"reason", cell->reason}};
}

json changes_json(const std::vector<CellChange>& changes) {
  json out = json::array();
  for (const auto& c : changes)
    out.push_back({{"key", c.key}, {"old", cell_json(c.old_cell)}, {"new", cell_json(c.new_cell)}});
  return out;
}

std::string state_text(const std::optional<CellState>& cell) {
  if (!cell) return "-";
  return cell->match.empty() ? cell->status : fmt::format("{} ({})", cell->status, cell->match);
}

}  // namespace

MatrixFile load_matrix(const std::string& path) {
  auto file = std::filesystem::path(path);
  if (std::filesystem::is_directory(file)) file /= "matrix.json";
  MatrixFile out{file.string(), {}};
  std::ifstream in(file);
  if (!in) throw MatrixFileError(fmt::format("{}: cannot open matrix file", out.path));
  try {
    out.matrix = json::parse(in);
  } catch (const json::parse_error& e) {
    throw MatrixFileError(fmt::format("{}: not JSON: {}", out.path, e.what()));
  }
  const auto& m = out.matrix;
  if (!m.is_object() || m.value("schema", "") != "tlsmatrix-matrix")
    throw MatrixFileError(
        fmt::format("{}: not a tlsmatrix matrix (schema is not "
                    "\"tlsmatrix-matrix\")",
                    out.path));
  const auto version = m.contains("schema_version") && m["schema_version"].is_number_integer()
                           ? m["schema_version"].get<int>()
                           : 0;
  if (version < 1 || version > kMatrixSchemaVersion)
    throw MatrixFileError(
        fmt::format("{}: matrix schema_version {} (this runner reads versions 1 to {})", out.path,
                    version, kMatrixSchemaVersion));
  if (!m.contains("peers") || !m["peers"].is_array() || !m.contains("cells") ||
      !m["cells"].is_array())
    throw MatrixFileError(fmt::format("{}: needs the arrays 'peers' and 'cells'", out.path));
  return out;
}

MatrixDiff diff_matrices(const MatrixFile& old_run, const MatrixFile& new_run) {
  const auto before = index_matrix(old_run);
  const auto after = index_matrix(new_run);
  MatrixDiff diff;
  diff.old_path = old_run.path;
  diff.new_path = new_run.path;
  for (const auto& [key, peer] : after.peers)
    if (const auto it = before.peers.find(key);
        it != before.peers.end() && it->second.version != peer.version)
      diff.peer_versions.push_back({key, it->second.id, peer.id, it->second.version, peer.version});
  for (const auto& [key, old_cell] : before.cells) {
    const auto it = after.cells.find(key);
    if (it == after.cells.end()) {
      diff.vanished.push_back({key, old_cell, std::nullopt});
      continue;
    }
    ++diff.compared;
    const auto& new_cell = it->second;
    CellChange change{key, old_cell, new_cell};
    if (is_regression(old_cell, new_cell))
      diff.regressions.push_back(std::move(change));
    else if (is_fix(old_cell, new_cell))
      diff.fixes.push_back(std::move(change));
    else if (old_cell.status != new_cell.status || old_cell.match != new_cell.match)
      diff.changed.push_back(std::move(change));
  }
  for (const auto& [key, new_cell] : after.cells)
    if (!before.cells.count(key)) diff.added.push_back({key, std::nullopt, new_cell});
  return diff;
}

json to_json(const MatrixDiff& diff) {
  json versions = json::array();
  for (const auto& p : diff.peer_versions)
    versions.push_back({{"peer", p.peer},
                        {"old_id", p.old_id},
                        {"new_id", p.new_id},
                        {"old_version", p.old_version},
                        {"new_version", p.new_version}});
  return {{"schema", "tlsmatrix-diff"},
          {"schema_version", kDiffSchemaVersion},
          {"old", diff.old_path},
          {"new", diff.new_path},
          {"compared", diff.compared},
          {"regressions", changes_json(diff.regressions)},
          {"fixes", changes_json(diff.fixes)},
          {"changed", changes_json(diff.changed)},
          {"new_cells", changes_json(diff.added)},
          {"vanished_cells", changes_json(diff.vanished)},
          {"peer_versions", versions}};
}

std::string diff_text(const MatrixDiff& diff) {
  auto out = fmt::format(
      "{} -> {}\n{} cells compared: {} regressions, {} fixes, {} other changes, {} new, {} "
      "vanished; {} peers changed library version\n",
      diff.old_path, diff.new_path, diff.compared, diff.regressions.size(), diff.fixes.size(),
      diff.changed.size(), diff.added.size(), diff.vanished.size(), diff.peer_versions.size());
  if (!diff.peer_versions.empty()) {
    out += "\nPeer library versions:\n";
    for (const auto& p : diff.peer_versions)
      out += fmt::format("  {:<28} {} -> {}\n", p.peer, p.old_version, p.new_version);
  }
  const auto table = [&](const char* title, const std::vector<CellChange>& changes) {
    if (changes.empty()) return;
    out += fmt::format("\n{} ({}):\n", title, changes.size());
    for (const auto& c : changes) {
      out += fmt::format("  {:<26} -> {:<26} {}\n", state_text(c.old_cell), state_text(c.new_cell),
                         c.key);
      if (c.new_cell && c.new_cell->status != "pass")
        out += fmt::format("  {:<56} {}\n", "", c.new_cell->reason);
    }
  };
  table("Regressions", diff.regressions);
  table("Fixes", diff.fixes);
  table("Other changes", diff.changed);
  table("New cells", diff.added);
  table("Vanished cells", diff.vanished);
  return out;
}

}  // namespace tlsmatrix
