#include "summary_markdown.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <span>

#include "defaults_table.hpp"
#include "grid.hpp"
#include "safe_text.hpp"
#include "security_summary.hpp"
#include "tally.hpp"

namespace tlsmatrix {
namespace {

std::vector<const CellResult*> sorted_most_severe_first(const std::vector<CellResult>& cells) {
  std::vector<const CellResult*> out;
  for (const auto& c : cells) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const CellResult* a, const CellResult* b) {
    return std::pair(severity_rank(a->verdict.status), a->id) <
           std::pair(severity_rank(b->verdict.status), b->id);
  });
  return out;
}

constexpr std::size_t kAllRows = SIZE_MAX;

// "... and N more" after the first `limit` rows of a table cut short.
std::string rows_left_out(std::size_t rows, std::size_t limit) {
  if (rows <= limit) return "";
  return fmt::format("\n... and {} more (summary.md and matrix.json list every one).\n",
                     rows - limit);
}

// First in the summary: what a reader must act on.
std::string unexpected_cells_markdown(const std::vector<CellResult>& cells, std::size_t limit) {
  auto unexpected = sorted_most_severe_first(cells);
  std::erase_if(unexpected, [](const CellResult* c) { return as_expected(*c); });
  if (unexpected.empty()) return "Every cell gave its expected result.\n\n";
  std::string md =
      "## Unexpected cells\n\n| status | expected | cell | reason | expected by |\n"
      "|---|---|---|---|---|\n";
  for (const auto* c : std::span(unexpected).first(std::min(limit, unexpected.size())))
    md += fmt::format("| {} | {} | `{}` | {} | {} |\n", status_name(c->verdict.status),
                      status_name(c->expected.status), c->id, markdown_cell(c->verdict.reason),
                      c->expected.source.empty() ? "no known deviation" : c->expected.source);
  return md + rows_left_out(unexpected.size(), limit) + "\n";
}

// A downgrade that worked: an attacked cell (`relay:`) whose scenario expects the handshake to
// be refused, yet it completed. Such a cell is a `fail`, and it heads the summary whatever the
// known-deviation files say.
bool attack_completed(const CellResult& c) {
  if (!c.scenario || c.scenario->relay.empty()) return false;
  return std::any_of(c.verdict.checks.begin(), c.verdict.checks.end(), [](const CheckResult& r) {
    return r.expectation && r.expectation->fact == Fact::handshake && r.observed == "success" &&
           r.expectation->any_of == std::vector<std::string>{"refused"};
  });
}

// The attacker of each scenario that has one; what it did per cell is in matrix.json.
std::string attacks_markdown(const Suite& suite) {
  std::string md;
  for (const auto& scenario : suite.scenarios) {
    if (scenario.relay.empty()) continue;
    std::vector<std::string> attack;
    for (const auto& m : scenario.relay) attack.push_back(mutation_text(m));
    md += fmt::format("| `{}` | {} |\n", scenario.id,
                      markdown_cell(fmt::format("{}", fmt::join(attack, "; "))));
  }
  if (md.empty()) return md;
  return "\nThe attacker in the relay, per scenario (what it did in each cell: matrix.json "
         "`attack`):\n\n| scenario | mutations |\n|---|---|\n" +
         md;
}

std::string completed_attacks_markdown(const std::vector<CellResult>& cells, std::size_t limit) {
  const auto attacked = std::count_if(cells.begin(), cells.end(), [](const CellResult& c) {
    return c.scenario && !c.scenario->relay.empty();
  });
  if (attacked == 0) return "";
  auto completed = sorted_most_severe_first(cells);
  std::erase_if(completed, [](const CellResult* c) { return !attack_completed(*c); });
  if (completed.empty())
    return fmt::format("No downgrade attempt completed a handshake ({} attacked cells).\n\n",
                       attacked);
  std::string md =
      "## Downgrade attempts that completed a handshake\n\n| status | cell | attack | reason |\n"
      "|---|---|---|---|\n";
  for (const auto* c : std::span(completed).first(std::min(limit, completed.size()))) {
    std::vector<std::string> attack;
    for (const auto& m : c->scenario->relay) attack.push_back(mutation_text(m));
    md += fmt::format("| {} | `{}` | {} | {} |\n", status_name(c->verdict.status), c->id,
                      markdown_cell(fmt::format("{}", fmt::join(attack, "; "))),
                      markdown_cell(c->verdict.reason));
  }
  return md + rows_left_out(completed.size(), limit) + "\n";
}

// The title, when and how the run ran, and its totals: the head of both summaries.
std::string run_head_markdown(const RunInfo& info, const std::vector<CellResult>& cells) {
  std::string md = fmt::format("# tlsmatrix run {}\n\n", info.id);
  md += fmt::format("Started {}, finished {}{}. Shard {}, {} parallel cells.\n\n", info.started,
                    info.finished,
                    info.complete ? "" : " (**interrupted: only finished cells are listed**)",
                    info.shard, info.jobs);
  if (!info.merged_from.empty()) {
    std::vector<std::string> shards;
    for (const auto& s : info.merged_from) shards.push_back(fmt::format("{} ({})", s.shard, s.id));
    md += fmt::format("Merged (`tlsmatrix merge`) from {} shards: {}.\n\n", shards.size(),
                      fmt::join(shards, ", "));
  }
  const auto all = tally_all(cells);
  md += fmt::format(
      "**{} cells**: {} pass, {} deviation, {} fail, {} unsupported, {} error; **{} "
      "unexpected** (not the result the known-deviation files expect).\n\n",
      all.total(), all[Status::pass], all[Status::deviation], all[Status::fail],
      all[Status::unsupported], all[Status::error], all.unexpected);
  return md;
}

std::string summary_markdown_unescaped(const RunInfo& info, const std::vector<Peer>& peers,
                                       const std::vector<Suite>& suites,
                                       const std::vector<CellResult>& cells) {
  std::string md = run_head_markdown(info, cells);
  md += completed_attacks_markdown(cells, kAllRows);
  md += unexpected_cells_markdown(cells, kAllRows);

  md += "## Peers\n\n| id | library | version | environment |\n|---|---|---|---|\n";
  for (const auto& p : peers)
    md += fmt::format("| {} | {} | {} | {} |\n", p.entry.id, p.capabilities.library,
                      p.capabilities.version, p.entry.environment);

  md +=
      "\n## Matrix\n\nEach entry: passing cells / cells, then D(eviation), F(ail), U(nsupported), "
      "E(rror) counts, then !unexpected cells.\n";
  const auto tallies = tally_by_suite(cells);
  for (const auto& suite : suites) {
    const auto it = tallies.find(suite.id);
    if (it == tallies.end()) continue;
    md += fmt::format("\n### {} — {}\n\n{}", suite.id, suite.title,
                      render_markdown(status_grid(it->second, peers)));
    md += attacks_markdown(suite);
  }

  md += defaults_markdown(defaults_entries(suites, peers, cells), peers);
  md += security_markdown(security_summary(peers, cells));

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

  auto findings = sorted_most_severe_first(cells);
  std::erase_if(findings, [](const CellResult* c) {
    return c->verdict.status == Status::pass || !as_expected(*c);
  });
  if (!findings.empty()) {
    md +=
        "\n## Expected cells that did not pass (known deviations)\n\n| status | cell | reason | "
        "expected by |\n|---|---|---|---|\n";
    for (const auto* c : findings)
      md += fmt::format("| {} | `{}` | {} | {} |\n", status_name(c->verdict.status), c->id,
                        markdown_cell(c->verdict.reason), c->expected.source);
  }
  return md;
}

// Per suite one line of totals, instead of summary.md's client x server grids.
std::string suite_totals_markdown(const std::vector<Suite>& suites,
                                  const std::vector<CellResult>& cells) {
  std::string md =
      "## Suites\n\n| suite | cells | pass | deviation | fail | unsupported | error | unexpected "
      "|\n|---|---|---|---|---|---|---|---|\n";
  const auto tallies = tally_by_suite(cells);
  for (const auto& suite : suites) {
    const auto it = tallies.find(suite.id);
    if (it == tallies.end()) continue;
    const auto& t = it->second.total;
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(suite.id),
                      t.total(), t[Status::pass], t[Status::deviation], t[Status::fail],
                      t[Status::unsupported], t[Status::error], t.unexpected);
  }
  return md + "\n";
}

}  // namespace

std::string ci_summary_markdown(const RunInfo& info, const std::vector<Peer>& peers,
                                const std::vector<Suite>& suites,
                                const std::vector<CellResult>& cells) {
  constexpr std::size_t kRows = 100;
  std::string md = run_head_markdown(info, cells);
  md += completed_attacks_markdown(cells, kRows);
  md += unexpected_cells_markdown(cells, kRows);
  md += suite_totals_markdown(suites, cells);
  md += fmt::format("{} peers:", peers.size());
  for (const auto& p : peers) md += fmt::format(" `{}`", p.entry.id);
  md += ".\n";
  return printable(md);
}

std::string summary_markdown(const RunInfo& info, const std::vector<Peer>& peers,
                             const std::vector<Suite>& suites,
                             const std::vector<CellResult>& cells) {
  // Peer versions, suite titles and the like come from outside too: no control character
  // reaches the file, whichever part it came in.
  return printable(summary_markdown_unescaped(info, peers, suites, cells));
}

}  // namespace tlsmatrix
