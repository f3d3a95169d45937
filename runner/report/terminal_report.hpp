// What a person watching the run sees: a live progress line on a terminal (a line every 10%
// otherwise, e.g. in CI logs) and, at the end, a compact client x server table per suite.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cell_result.hpp"
#include "tally.hpp"
#include "terminal_output.hpp"

namespace tlsmatrix {

class ProgressLine {
 public:
  ProgressLine(std::size_t total, TerminalStream out);
  void cell_done(const CellResult& cell);
  void finish();

 private:
  void draw();
  std::size_t total_;
  TerminalStream out_;
  bool tty_;
  Tally tally_;
  std::size_t last_decile_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Show it with `show`, which escapes the control characters a peer's reason may hold.
std::string matrix_tables_text(const std::vector<Peer>& peers, const std::vector<Suite>& suites,
                               const std::vector<CellResult>& cells, std::size_t max_findings);

}  // namespace tlsmatrix
