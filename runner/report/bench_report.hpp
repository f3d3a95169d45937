// Throughput of a run and what the harness adds to each cell beyond its handshake.
#pragma once

#include <string>
#include <vector>

#include "cell_result.hpp"

namespace tlsmatrix {

// CPU time, user + system. Taken with cpu_usage_now() before and after a phase; the difference
// is what that phase cost.
struct CpuUsage {
  double runner_seconds = 0;  // this process, all its threads (getrusage RUSAGE_SELF)
  // Every descendant reaped so far (RUSAGE_CHILDREN): the peers, and whatever they waited for.
  // A process counts only once it has been waited for, so take the later reading after every
  // peer of the phase has been reaped.
  double peer_seconds = 0;
};

CpuUsage cpu_usage_now();
CpuUsage operator-(CpuUsage a, CpuUsage b);

struct BenchFigures {
  std::size_t cells_run = 0;             // cells that started peers (not unsupported)
  double cells_per_second = 0;           // every cell, unsupported ones too
  double executed_cells_per_second = 0;  // cells_run over the same seconds
  double median_wall_ms = 0;
  double median_handshake_ms = 0;
  // Median of (cell wall time - the slower side's handshake time): process start-up, JSON,
  // the relay, application data and shutdown.
  double median_overhead_ms = 0;
};

BenchFigures bench_figures(const std::vector<CellResult>& cells, double seconds);
// `cell_phase`: the CPU the cell phase cost, split runner / peers, shown per executed cell.
// ci/bench reads these lines: keep it in step.
std::string bench_report_text(const std::vector<CellResult>& cells, double seconds, unsigned jobs,
                              const CpuUsage& cell_phase);

}  // namespace tlsmatrix
