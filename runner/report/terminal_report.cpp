#include "terminal_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "grid.hpp"
#include "safe_text.hpp"

namespace tlsmatrix {

ProgressLine::ProgressLine(std::size_t total, TerminalStream out)
    : total_(total), out_(out), tty_(is_terminal(out)) {}

void ProgressLine::cell_done(const CellResult& cell) {
  tally_.add(cell);
  if (!tty_ && !as_expected(cell))
    show(out_, fmt::format("unexpected {} (expected {}): {}: {}\n",
                           status_name(cell.verdict.status), status_name(cell.expected.status),
                           cell.id, printable(cell.verdict.reason, false)));
  draw();
}

void ProgressLine::draw() {
  const auto done = tally_.total();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const auto eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  const auto line = fmt::format(
      "[{:>{}}/{}] {:3.0f}%  pass {}  dev {}  fail {}  unsup {}  err {}  unexpected {}  {:.1f} "
      "cells/s  eta {:.0f}s",
      done, fmt::formatted_size("{}", total_), total_,
      total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0,
      tally_[Status::pass], tally_[Status::deviation], tally_[Status::fail],
      tally_[Status::unsupported], tally_[Status::error], tally_.unexpected, rate, eta);
  if (tty_) {
    show_raw(out_, "\r\033[K" + line);
  } else if (const auto decile = total_ ? done * 10 / total_ : 10;
             decile > last_decile_ || done == total_) {
    last_decile_ = decile;
    show(out_, line + "\n");
  }
}

void ProgressLine::finish() {
  if (tty_) show(out_, "\n");
}

std::string matrix_tables_text(const std::vector<Peer>& peers, const std::vector<Suite>& suites,
                               const std::vector<CellResult>& cells, std::size_t max_findings) {
  std::string out;
  const auto tallies = tally_by_suite(cells);
  for (const auto& suite : suites) {
    const auto it = tallies.find(suite.id);
    if (it == tallies.end()) continue;
    out += fmt::format("\n{} — {} ({} cells: {})\n", suite.id, suite.title,
                       it->second.total.total(), it->second.total.compact());
    out += render_text(status_grid(it->second, peers));
  }
  // Unexpected cells first: they are what needs attention. Then the expected findings, most
  // severe first; unsupported cells only as why each peer could not run them, since one missing
  // group makes dozens of them.
  std::vector<const CellResult*> unexpected, findings;
  std::map<std::string, std::set<std::string>> lacking;
  std::size_t unsupported = 0;
  for (const auto& c : cells) {
    if (!as_expected(c)) {
      unexpected.push_back(&c);
    } else if (c.verdict.status == Status::unsupported) {
      ++unsupported;
      for (const auto& m : c.client_missing) lacking[c.client->entry.id].insert(m);
      for (const auto& m : c.server_missing) lacking[c.server->entry.id].insert(m);
    } else if (c.verdict.status != Status::pass) {
      findings.push_back(&c);
    }
  }
  const auto most_severe_first = [](const CellResult* a, const CellResult* b) {
    return std::pair(severity_rank(a->verdict.status), a->id) <
           std::pair(severity_rank(b->verdict.status), b->id);
  };
  std::sort(unexpected.begin(), unexpected.end(), most_severe_first);
  std::sort(findings.begin(), findings.end(), most_severe_first);
  const auto list = [&](const std::vector<const CellResult*>& listed, bool show_expected) {
    for (std::size_t i = 0; i < listed.size() && i < max_findings; ++i) {
      const auto& c = *listed[i];
      out += fmt::format("  {:<11} {}\n              {}\n", status_name(c.verdict.status), c.id,
                         printable(c.verdict.reason, false));
      if (show_expected)
        out += fmt::format("              expected {} ({})\n", status_name(c.expected.status),
                           c.expected.source.empty() ? "no known deviation" : c.expected.source);
    }
    if (listed.size() > max_findings)
      out += fmt::format("  ... and {} more in summary.md\n", listed.size() - max_findings);
  };
  if (!unexpected.empty()) {
    out += fmt::format("\nUnexpected cells ({}), most severe first:\n", unexpected.size());
    list(unexpected, true);
  }
  if (!findings.empty()) {
    out += "\nExpected cells that did not pass (known deviations):\n";
    list(findings, false);
  }
  if (unsupported) {
    out += fmt::format("\n{} cells unsupported as expected; why, per peer:\n", unsupported);
    for (const auto& [peer, items] : lacking)
      out += fmt::format("  {:<28} {}\n", peer, fmt::join(items, ", "));
  }
  out +=
      "\nLegend: passing/cells, then D(eviation) F(ail) U(nsupported) E(rror) counts, then "
      "!unexpected cells.\n";
  return out;
}

}  // namespace tlsmatrix
