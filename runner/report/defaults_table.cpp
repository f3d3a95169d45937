#include "defaults_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "grid.hpp"
#include "safe_text.hpp"

namespace tlsmatrix {
namespace {

bool executed(const CellResult& cell) {
  const auto s = cell.verdict.status;
  return s == Status::pass || s == Status::deviation || s == Status::fail;
}

std::string column_heading(const DefaultsEntry& e) {
  return fmt::format("{} ({}/{})", e.label, e.suite, e.scenario);
}

std::string entry_text(const DefaultsEntry& e) {
  if (e.values.empty()) return "not measured";
  std::string out;
  for (const auto& [value, ids] : e.values)
    out += fmt::format("{}{} ({} cell{})", out.empty() ? "" : ", ", value, ids.size(),
                       ids.size() == 1 ? "" : "s");
  return out;
}

}  // namespace

std::vector<DefaultsEntry> defaults_entries(const std::vector<Suite>& suites,
                                            const std::vector<Peer>& peers,
                                            const std::vector<CellResult>& cells) {
  std::vector<DefaultsEntry> out;
  for (const auto& suite : suites)
    for (const auto& scenario : suite.scenarios) {
      if (!scenario.defaults_column) continue;
      const auto& column = *scenario.defaults_column;
      for (const auto& peer : peers) {
        DefaultsEntry e{
            suite.id,      scenario.id, column.label, fact_name(column.fact), column.role,
            peer.entry.id, {}};
        for (const auto& cell : cells) {
          if (cell.scenario != &scenario || !executed(cell)) continue;
          const auto* measured = column.role == Role::client ? cell.client : cell.server;
          if (measured->entry.id != peer.entry.id) continue;
          auto value = observation_text(cell.verdict.observations, e.fact);
          if (value == "unknown") value = definition(column.fact).absent;
          e.values[value].push_back(cell.id);
        }
        // By id, not in the order the cells finished: two runs of one matrix (or a run and its
        // merged shards) write the same table.
        for (auto& [value, ids] : e.values) std::sort(ids.begin(), ids.end());
        out.push_back(std::move(e));
      }
    }
  return out;
}

nlohmann::json defaults_json(const std::vector<DefaultsEntry>& entries) {
  auto out = nlohmann::json::array();
  for (const auto& e : entries) {
    auto values = nlohmann::json::object();
    for (const auto& [value, ids] : e.values) values[value] = ids;
    out.push_back({{"suite", e.suite},
                   {"scenario", e.scenario},
                   {"label", e.label},
                   {"role", role_name(e.role)},
                   {"fact", e.fact},
                   {"peer", e.peer},
                   {"values", values}});
  }
  return out;
}

std::string defaults_markdown(const std::vector<DefaultsEntry>& entries,
                              const std::vector<Peer>& peers) {
  if (entries.empty()) return "";
  Grid g;
  g.header.push_back("peer");
  for (const auto& e : entries)
    if (e.peer == peers.front().entry.id) g.header.push_back(column_heading(e));
  for (const auto& peer : peers) {
    std::vector<std::string> row{peer.entry.id};
    for (const auto& e : entries)
      if (e.peer == peer.entry.id) row.push_back(entry_text(e));
    g.rows.push_back(std::move(row));
  }
  return "\n## Library defaults\n\nWhat each peer's library does with a setting left to it, as "
         "its executed cells showed (value, then how many cells showed it; the cells are listed "
         "in matrix.json `defaults`).\n\n" +
         render_markdown(g);
}

}  // namespace tlsmatrix
