#include "bench_report.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>

namespace tlsmatrix {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

double cpu_seconds(int who) {
  rusage u{};
  if (::getrusage(who, &u) != 0) return 0;
  const auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

}  // namespace

CpuUsage cpu_usage_now() {
  return {cpu_seconds(RUSAGE_SELF), cpu_seconds(RUSAGE_CHILDREN)};
}

CpuUsage operator-(CpuUsage a, CpuUsage b) {
  return {a.runner_seconds - b.runner_seconds, a.peer_seconds - b.peer_seconds};
}

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
  f.executed_cells_per_second = seconds > 0 ? static_cast<double>(f.cells_run) / seconds : 0;
  f.median_wall_ms = median(wall);
  f.median_handshake_ms = median(handshake);
  f.median_overhead_ms = median(overhead);
  return f;
}

std::string bench_report_text(const std::vector<CellResult>& cells, double seconds, unsigned jobs,
                              const CpuUsage& cell_phase) {
  const auto f = bench_figures(cells, seconds);
  const double per_cell = f.cells_run > 0 ? 1000.0 / static_cast<double>(f.cells_run) : 0;
  return fmt::format(
      "bench: {} cells in {:.1f} s with {} jobs = {:.1f} cells/s ({} ran peers = {:.1f} executed "
      "cells/s)\n"
      "bench: per executed cell, median wall {:.1f} ms, median handshake {:.1f} ms, median harness "
      "overhead {:.1f} ms\n"
      "bench: CPU per executed cell: {:.1f} ms (runner {:.1f} ms, peers {:.1f} ms)\n",
      cells.size(), seconds, jobs, f.cells_per_second, f.cells_run, f.executed_cells_per_second,
      f.median_wall_ms, f.median_handshake_ms, f.median_overhead_ms,
      (cell_phase.runner_seconds + cell_phase.peer_seconds) * per_cell,
      cell_phase.runner_seconds * per_cell, cell_phase.peer_seconds * per_cell);
}

}  // namespace tlsmatrix
