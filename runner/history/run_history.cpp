#include "run_history.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <set>

namespace tlsmatrix {
namespace {

// A prepared statement that finalizes itself; every failure names the database file.
class Statement {
 public:
  Statement(sqlite3* db, const std::filesystem::path& file, const char* sql)
      : db_(db), file_(file) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail();
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& text) {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK)
      fail();
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail();
    return *this;
  }
  // One step: true while a row is there, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail();
    return false;
  }
  void run_again() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  [[noreturn]] void fail() const {
    throw HistoryError(fmt::format("run history {}: {}", file_.string(), sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  const std::filesystem::path& file_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const std::filesystem::path& file, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw HistoryError(fmt::format("run history {}: {}", file.string(), why));
  }
}

// Version-free ids: the peer's own, and the cell's from its suite, scenario and peers.
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT NOT NULL,
  complete INTEGER NOT NULL, shard TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS peers (
  run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, key TEXT NOT NULL,
  id TEXT NOT NULL, stack TEXT NOT NULL, library_version TEXT NOT NULL,
  PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS cells (
  run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, key TEXT NOT NULL,
  id TEXT NOT NULL, status TEXT NOT NULL, match TEXT NOT NULL, reason TEXT NOT NULL,
  client TEXT NOT NULL, server TEXT NOT NULL,
  PRIMARY KEY (run_id, key));
CREATE INDEX IF NOT EXISTS cells_by_key ON cells (key);
)";

bool matches(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

RunRecord run_record(const RunInfo& info, const std::vector<Peer>& peers,
                     const std::vector<CellResult>& cells) {
  RunRecord run{info.id, info.started, info.finished, info.shard, info.complete, {}};
  std::map<std::string, std::string> key_of;  // peer id -> version-free id
  for (const auto& p : peers) {
    const auto key = versionless(p.entry.id, p.capabilities.version);
    run.matrix.peers[key] = {p.entry.id, p.entry.stack, p.capabilities.version};
    key_of[p.entry.id] = key;
  }
  for (const auto& c : cells) {
    const auto key = cell_id(c.suite->id, c.scenario->id, key_of.at(c.client->entry.id),
                             key_of.at(c.server->entry.id));
    run.matrix.cells[key] = {c.id,
                             status_name(c.verdict.status),
                             as_expected(c) ? "expected" : "unexpected",
                             c.verdict.reason,
                             c.client->entry.id,
                             c.server->entry.id};
  }
  return run;
}

RunRecord run_record(const MatrixFile& file) {
  const auto& run = file.matrix.value("run", nlohmann::json::object());
  const auto text = [&](const char* key) {
    return run.contains(key) && run[key].is_string() ? run[key].get<std::string>() : "";
  };
  RunRecord out{text("id"),
                text("started"),
                text("finished"),
                text("shard"),
                run.value("complete", false),
                index_matrix(file)};
  if (out.run_id.empty() || out.started.empty())
    throw MatrixFileError(fmt::format("{}: run has no 'id' or 'started'", file.path));
  return out;
}

RunHistory::RunHistory(const std::filesystem::path& file) : file_(file) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw HistoryError(fmt::format("run history {}: {}", file.string(), why));
  }
  try {
    sqlite3_busy_timeout(db_, 10000);  // shards of one run may record at the same time
    exec(db_, file_, "PRAGMA foreign_keys = ON");
    exec(db_, file_, kSchema);
    Statement version(db_, file_, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (version.step()) {
      if (version.text(0) != std::to_string(kHistorySchemaVersion))
        throw HistoryError(fmt::format(
            "run history {}: history schema version {}, this tlsmatrix reads version {}",
            file.string(), version.text(0), kHistorySchemaVersion));
    } else {
      Statement set(db_, file_, "INSERT INTO meta (key, value) VALUES ('schema_version', ?)");
      set.bind(1, std::to_string(kHistorySchemaVersion)).run_again();
    }
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

RunHistory::~RunHistory() {
  sqlite3_close(db_);
}

std::size_t RunHistory::record(const RunRecord& run) {
  exec(db_, file_, "BEGIN IMMEDIATE");
  try {
    Statement forget(db_, file_, "DELETE FROM runs WHERE run_id = ?");
    forget.bind(1, run.run_id).run_again();
    Statement add_run(db_, file_,
                      "INSERT INTO runs (run_id, started, finished, complete, shard) "
                      "VALUES (?, ?, ?, ?, ?)");
    add_run.bind(1, run.run_id)
        .bind(2, run.started)
        .bind(3, run.finished)
        .bind(4, std::int64_t{run.complete})
        .bind(5, run.shard)
        .run_again();
    Statement add_peer(db_, file_,
                       "INSERT INTO peers (run_id, key, id, stack, library_version) "
                       "VALUES (?, ?, ?, ?, ?)");
    for (const auto& [key, p] : run.matrix.peers)
      add_peer.bind(1, run.run_id)
          .bind(2, key)
          .bind(3, p.id)
          .bind(4, p.stack)
          .bind(5, p.version)
          .run_again();
    Statement add_cell(db_, file_,
                       "INSERT INTO cells (run_id, key, id, status, match, reason, client, "
                       "server) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& [key, c] : run.matrix.cells)
      add_cell.bind(1, run.run_id)
          .bind(2, key)
          .bind(3, c.id)
          .bind(4, c.status)
          .bind(5, c.match)
          .bind(6, c.reason)
          .bind(7, c.client)
          .bind(8, c.server)
          .run_again();
    exec(db_, file_, "COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return run.matrix.cells.size();
}

std::vector<CellHistory> RunHistory::cells(const std::string& pattern) const {
  std::set<std::string> keys;
  {
    Statement all(db_, file_, "SELECT DISTINCT key, id FROM cells");
    while (all.step())
      if (matches(pattern, all.text(0)) || matches(pattern, all.text(1))) keys.insert(all.text(0));
  }
  std::vector<CellHistory> out;
  Statement rows(db_, file_,
                 "SELECT r.run_id, r.started, c.id, c.status, c.match, c.reason, c.client, "
                 "c.server, pc.library_version, ps.library_version FROM cells c "
                 "JOIN runs r ON r.run_id = c.run_id "
                 "LEFT JOIN peers pc ON pc.run_id = c.run_id AND pc.id = c.client "
                 "LEFT JOIN peers ps ON ps.run_id = c.run_id AND ps.id = c.server "
                 "WHERE c.key = ? ORDER BY r.started, r.run_id");
  for (const auto& key : keys) {
    CellHistory history{key, {}};
    rows.bind(1, key);
    while (rows.step())
      history.runs.push_back(
          {rows.text(0),
           rows.text(1),
           {rows.text(2), rows.text(3), rows.text(4), rows.text(5), rows.text(6), rows.text(7)},
           rows.text(8),
           rows.text(9)});
    rows.run_again();
    out.push_back(std::move(history));
  }
  return out;
}

std::vector<PeerRunRecord> RunHistory::peer_runs(const std::string& stack_or_pattern) const {
  std::vector<PeerRunRecord> out;
  Statement peers(db_, file_,
                  "SELECT r.run_id, r.started, p.key, p.id, p.stack, p.library_version "
                  "FROM peers p JOIN runs r ON r.run_id = p.run_id "
                  "ORDER BY r.started, r.run_id, p.key");
  while (peers.step())
    if (peers.text(4) == stack_or_pattern || matches(stack_or_pattern, peers.text(2))) {
      PeerRunRecord run;
      run.run_id = peers.text(0);
      run.started = peers.text(1);
      run.peer = {peers.text(3), peers.text(4), peers.text(5)};
      out.push_back(std::move(run));
    }
  Statement tally(db_, file_,
                  "SELECT status, match, count(*) FROM cells WHERE run_id = ? AND "
                  "(client = ? OR server = ?) GROUP BY status, match");
  for (auto& run : out) {
    tally.bind(1, run.run_id).bind(2, run.peer.id).bind(3, run.peer.id);
    while (tally.step()) {
      const auto n = static_cast<std::size_t>(tally.integer(2));
      run.cells += n;
      run.by_status[tally.text(0)] += n;
      if (tally.text(1) == "unexpected") run.unexpected += n;
    }
    tally.run_again();
  }
  return out;
}

std::size_t RunHistory::run_count() const {
  Statement count(db_, file_, "SELECT count(*) FROM runs");
  return count.step() ? static_cast<std::size_t>(count.integer(0)) : 0;
}

namespace {

std::string state(const CellState& c) {
  return fmt::format("{} ({})", c.status, c.match);
}

// What differs between two recorded runs of a cell: its state, its peers' versions.
std::string change_text(const CellVersionState& before, const CellVersionState& after) {
  std::vector<std::string> parts;
  if (state(before.cell) != state(after.cell))
    parts.push_back(fmt::format("{} -> {}", state(before.cell), state(after.cell)));
  if (before.client_version != after.client_version)
    parts.push_back(
        fmt::format("client library {} -> {}", before.client_version, after.client_version));
  if (before.server_version != after.server_version)
    parts.push_back(
        fmt::format("server library {} -> {}", before.server_version, after.server_version));
  return fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace

std::string cell_history_text(const std::vector<CellHistory>& cells) {
  if (cells.empty()) return "no recorded cell matches\n";
  std::string out;
  for (const auto& cell : cells) {
    // The last run whose state differs from the run before it.
    std::optional<std::size_t> last_change;
    for (std::size_t i = 1; i < cell.runs.size(); ++i)
      if (state(cell.runs[i].cell) != state(cell.runs[i - 1].cell)) last_change = i;
    const auto& newest = cell.runs.back();
    if (last_change) {
      const auto& before = cell.runs[*last_change - 1];
      const auto& after = cell.runs[*last_change];
      out += fmt::format("{}\n  last changed in run {} ({}), after run {} ({}): {}\n", cell.key,
                         after.run_id, after.started, before.run_id, before.started,
                         change_text(before, after));
    } else {
      out += fmt::format("{}\n  unchanged in {} recorded run{}: {}\n", cell.key, cell.runs.size(),
                         cell.runs.size() == 1 ? "" : "s", state(newest.cell));
    }
    for (std::size_t i = 0; i < cell.runs.size(); ++i) {
      const auto& r = cell.runs[i];
      out += fmt::format("  {}  {}  {:<24} client {} {}, server {} {}{}\n", r.started, r.run_id,
                         state(r.cell), r.cell.client, r.client_version, r.cell.server,
                         r.server_version,
                         i > 0 && !change_text(cell.runs[i - 1], r).empty()
                             ? "  <- " + change_text(cell.runs[i - 1], r)
                             : "");
    }
  }
  return out;
}

std::string peer_runs_text(const std::string& what, const std::vector<PeerRunRecord>& runs) {
  if (runs.empty()) return fmt::format("no recorded run has a peer of stack or id '{}'\n", what);
  std::string out = fmt::format(
      "{:<20}  {:<26}  {:<34} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n", "started", "run",
      "peer (library version)", "cells", "pass", "dev", "fail", "unsup", "error", "unexp");
  const auto count = [](const PeerRunRecord& r, const char* status) {
    const auto it = r.by_status.find(status);
    return it == r.by_status.end() ? std::size_t{0} : it->second;
  };
  for (const auto& r : runs)
    out += fmt::format("{:<20}  {:<26}  {:<34} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
                       r.started, r.run_id, fmt::format("{} ({})", r.peer.id, r.peer.version),
                       r.cells, count(r, "pass"), count(r, "deviation"), count(r, "fail"),
                       count(r, "unsupported"), count(r, "error"), r.unexpected);
  return out;
}

}  // namespace tlsmatrix
