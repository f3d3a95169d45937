#include "summary_markdown.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "grid.hpp"
#include "tally.hpp"

namespace tlsmatrix {

std::string summary_markdown(const RunInfo& info, const std::vector<Peer>& peers,
                             const std::vector<Suite>& suites,
                             const std::vector<CellResult>& cells) {
  std::string md = fmt::format("# tlsmatrix run {}\n\n", info.id);
  md += fmt::format("Started {}, finished {}{}. Shard {}, {} parallel cells.\n\n", info.started,
                    info.finished,
                    info.complete ? "" : " (**interrupted: only finished cells are listed**)",
                    info.shard, info.jobs);
  const auto all = tally_all(cells);
  md += fmt::format("**{} cells**: {} pass, {} deviation, {} fail, {} unsupported, {} error.\n\n",
                    all.total(), all[Status::pass], all[Status::deviation], all[Status::fail],
                    all[Status::unsupported], all[Status::error]);

  md += "## Peers\n\n| id | library | version | environment |\n|---|---|---|---|\n";
  for (const auto& p : peers)
    md += fmt::format("| {} | {} | {} | {} |\n", p.entry.id, p.capabilities.library,
                      p.capabilities.version, p.entry.environment);

  md +=
      "\n## Matrix\n\nEach entry: passing cells / cells, then D(eviation), F(ail), U(nsupported), "
      "E(rror) counts.\n";
  const auto tallies = tally_by_suite(cells);
  for (const auto& suite : suites) {
    const auto it = tallies.find(suite.id);
    if (it == tallies.end()) continue;
    md += fmt::format("\n### {} — {}\n\n{}", suite.id, suite.title,
                      render_markdown(status_grid(it->second, peers)));
  }

  bool any_observation = false;
  for (const auto& suite : suites)
    for (const auto& scenario : suite.scenarios)
      for (const auto fact : scenario.record) {
        if (!any_observation) md += "\n## Recorded behaviour (no verdict)\n";
        any_observation = true;
        md += fmt::format(
            "\n### {}/{}: {}\n\n{}\n\n{}", suite.id, scenario.id, fact_name(fact), scenario.title,
            render_markdown(observation_grid(cells, scenario, fact_name(fact), peers)));
      }

  auto findings = cells;
  std::erase_if(findings, [](const CellResult& c) { return c.verdict.status == Status::pass; });
  std::sort(findings.begin(), findings.end(), [](const CellResult& a, const CellResult& b) {
    return std::pair(severity_rank(a.verdict.status), a.id) <
           std::pair(severity_rank(b.verdict.status), b.id);
  });
  if (!findings.empty()) {
    md += "\n## Cells that did not pass\n\n| status | cell | reason |\n|---|---|---|\n";
    for (const auto& c : findings) {
      auto reason = c.verdict.reason;
      std::replace(reason.begin(), reason.end(), '|', '/');
      std::replace(reason.begin(), reason.end(), '\n', ' ');
      md += fmt::format("| {} | `{}` | {} |\n", status_name(c.verdict.status), c.id, reason);
    }
  }
  return md;
}

}  // namespace tlsmatrix
