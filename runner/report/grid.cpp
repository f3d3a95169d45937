#include "grid.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "safe_text.hpp"

namespace tlsmatrix {
namespace {

Grid empty_grid(const std::vector<Peer>& peers) {
  Grid g;
  g.header.push_back("client \\ server");
  for (const auto& p : peers) g.header.push_back(p.entry.id);
  return g;
}

}  // namespace

// A recorded fact as matrix.json holds it (typed, null when nobody could tell), for a grid.
std::string observation_text(const nlohmann::json& observations, const std::string& fact) {
  if (!observations.contains(fact)) return "-";
  const auto& value = observations[fact];
  if (value.is_null()) return "unknown";
  return value.is_string() ? value.get<std::string>() : json_text(value);
}

Grid status_grid(const SuiteTally& suite, const std::vector<Peer>& peers) {
  auto g = empty_grid(peers);
  for (const auto& c : peers) {
    std::vector<std::string> row{c.entry.id};
    for (const auto& s : peers) {
      const auto it = suite.pairs.find({c.entry.id, s.entry.id});
      row.push_back(it == suite.pairs.end() ? "-" : it->second.compact());
    }
    g.rows.push_back(std::move(row));
  }
  return g;
}

Grid observation_grid(const std::vector<CellResult>& cells, const Scenario& scenario,
                      const std::string& fact, const std::vector<Peer>& peers) {
  auto g = empty_grid(peers);
  for (const auto& c : peers) {
    std::vector<std::string> row{c.entry.id};
    for (const auto& s : peers) {
      const auto it = std::find_if(cells.begin(), cells.end(), [&](const CellResult& r) {
        return r.scenario == &scenario && r.client->entry.id == c.entry.id &&
               r.server->entry.id == s.entry.id;
      });
      std::string value = "-";
      if (it != cells.end()) {
        const auto& obs = it->verdict.observations;
        value = it->verdict.status == Status::unsupported || it->verdict.status == Status::error
                    ? status_name(it->verdict.status)
                    : observation_text(obs, fact);
      }
      row.push_back(value);
    }
    g.rows.push_back(std::move(row));
  }
  return g;
}

std::string render_text(const Grid& grid) {
  std::vector<std::size_t> width(grid.header.size(), 0);
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  };
  measure(grid.header);
  for (const auto& r : grid.rows) measure(r);
  std::string out;
  const auto line = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) out += fmt::format("{:<{}}  ", row[i], width[i]);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  line(grid.header);
  for (const auto& r : grid.rows) line(r);
  return out;
}

std::string render_markdown(const Grid& grid) {
  const auto line = [](const std::vector<std::string>& row) {
    std::string out = "|";
    for (const auto& cell : row) out += " " + markdown_cell(cell) + " |";
    return out + "\n";
  };
  std::string out = line(grid.header);
  out += "|";
  for (std::size_t i = 0; i < grid.header.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& r : grid.rows) out += line(r);
  return out;
}

}  // namespace tlsmatrix
