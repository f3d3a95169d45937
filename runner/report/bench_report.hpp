// Throughput of a run and what the harness adds to each cell beyond its handshake.
#pragma once

#include <string>
#include <vector>

#include "cell_result.hpp"

namespace tlsmatrix {

struct BenchFigures {
  std::size_t cells_run = 0;  // cells that started peers (not unsupported)
  double cells_per_second = 0;
  double median_wall_ms = 0;
  double median_handshake_ms = 0;
  // Median of (cell wall time - the slower side's handshake time): process start-up, JSON,
  // the relay, application data and shutdown.
  double median_overhead_ms = 0;
};

BenchFigures bench_figures(const std::vector<CellResult>& cells, double seconds);
std::string bench_report_text(const std::vector<CellResult>& cells, double seconds, unsigned jobs);

}  // namespace tlsmatrix
