#include "bench_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tlsmatrix {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

}  // namespace

BenchFigures bench_figures(const std::vector<CellResult>& cells, double seconds) {
  BenchFigures f;
  std::vector<double> wall, handshake, overhead;
  for (const auto& c : cells) {
    if (c.verdict.status == Status::unsupported || c.wall_ms <= 0) continue;
    ++f.cells_run;
    const double hs = std::max(c.client_handshake_ms, c.server_handshake_ms);
    wall.push_back(c.wall_ms);
    handshake.push_back(hs);
    overhead.push_back(c.wall_ms - hs);
  }
  f.cells_per_second = seconds > 0 ? static_cast<double>(cells.size()) / seconds : 0;
  f.median_wall_ms = median(wall);
  f.median_handshake_ms = median(handshake);
  f.median_overhead_ms = median(overhead);
  return f;
}

std::string bench_report_text(const std::vector<CellResult>& cells, double seconds, unsigned jobs) {
  const auto f = bench_figures(cells, seconds);
  return fmt::format(
      "bench: {} cells in {:.1f} s with {} jobs = {:.1f} cells/s ({} ran peers)\n"
      "bench: per executed cell, median wall {:.1f} ms, median handshake {:.1f} ms, median harness "
      "overhead {:.1f} ms\n",
      cells.size(), seconds, jobs, f.cells_per_second, f.cells_run, f.median_wall_ms,
      f.median_handshake_ms, f.median_overhead_ms);
}

}  // namespace tlsmatrix
