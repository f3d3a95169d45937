#include "security_summary.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "grid.hpp"

namespace tlsmatrix {
namespace {

nlohmann::json extreme_json(const SecurityExtreme& e) {
  nlohmann::json j = {{"server", e.server}, {"note", to_json(e.note)}, {"cell", e.cell}};
  if (!e.client.empty()) j["client"] = e.client;
  return j;
}

}  // namespace

SecuritySummary security_summary(const std::vector<Peer>& peers,
                                 const std::vector<CellResult>& cells) {
  // Cells in id order, so that of equal notes the same cell is named in every run.
  std::vector<const CellResult*> sorted;
  for (const auto& c : cells)
    if (c.verdict.security) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(),
            [](const CellResult* a, const CellResult* b) { return a->id < b->id; });

  std::map<std::pair<std::string, std::string>, SecurityExtreme> strongest;
  std::map<std::string, SecurityExtreme> weakest;
  for (const auto* c : sorted) {
    const auto& note = *c->verdict.security;
    const auto& client = c->client->entry.id;
    const auto& server = c->server->entry.id;
    auto [pair, fresh] =
        strongest.try_emplace({client, server}, SecurityExtreme{client, server, note, c->id});
    if (!fresh && note.rank > pair->second.note.rank) pair->second = {client, server, note, c->id};
    auto [low, first] = weakest.try_emplace(server, SecurityExtreme{"", server, note, c->id});
    if (!first && note.rank < low->second.note.rank) low->second = {"", server, note, c->id};
  }
  SecuritySummary out;
  for (const auto& c : peers)
    for (const auto& s : peers)
      if (const auto it = strongest.find({c.entry.id, s.entry.id}); it != strongest.end())
        out.strongest_per_pair.push_back(it->second);
  for (const auto& s : peers)
    if (const auto it = weakest.find(s.entry.id); it != weakest.end())
      out.weakest_per_server.push_back(it->second);
  return out;
}

nlohmann::json to_json(const SecuritySummary& summary) {
  auto strongest = nlohmann::json::array(), weakest = nlohmann::json::array();
  for (const auto& e : summary.strongest_per_pair) strongest.push_back(extreme_json(e));
  for (const auto& e : summary.weakest_per_server) weakest.push_back(extreme_json(e));
  return {{"strongest_per_pair", strongest}, {"weakest_per_server", weakest}};
}

std::string security_markdown(const SecuritySummary& summary) {
  if (summary.strongest_per_pair.empty()) return "";
  Grid weakest{{"server", "weakest configuration it accepted", "for example"}, {}};
  for (const auto& e : summary.weakest_per_server)
    weakest.rows.push_back({e.server, e.note.text, fmt::format("`{}`", e.cell)});
  Grid strongest{{"client", "server", "strongest configuration that completed", "for example"}, {}};
  for (const auto& e : summary.strongest_per_pair)
    strongest.rows.push_back({e.client, e.server, e.note.text, fmt::format("`{}`", e.cell)});
  return "\n## Security of what was negotiated (observations, not verdicts)\n\nRanked by forward "
         "secrecy, then a quantum-resistant (hybrid or ML-KEM) key exchange, then certificate "
         "authentication, then a PSK in the key schedule; each cell's note in matrix.json "
         "`cells[].security` cites its sources.\n\n### Weakest configuration each server "
         "accepted\n\n" +
         render_markdown(weakest) + "\n### Strongest configuration per pair\n\n" +
         render_markdown(strongest);
}

}  // namespace tlsmatrix
