// The whole matrix across every stack environment ci/provision made (peers/environments/):
// every suite over every ordered pair of releases. Each cell must give the result the stacks'
// known-deviation files expect (pass where none says otherwise), and no cell may be an
// `error`. ci/test provisions the environments before it runs the tests, so this runs in CI;
// by hand, run ci/provision first.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

#include "known_deviations.hpp"
#include "matrix_runner.hpp"
#include "peer_catalog.hpp"
#include "scenario_loader.hpp"

namespace tlsmatrix {
namespace {

const std::filesystem::path kSource(TLSMATRIX_SOURCE_DIR);

std::vector<PeerEntry> environment_peers() {
  std::vector<PeerEntry> entries;
  for (const auto& catalog : environment_catalogs(kSource / ".cache" / "environments"))
    for (auto& e : load_catalog(catalog)) entries.push_back(std::move(e));
  return entries;
}

TEST(EnvironmentMatrix, EveryCellAsExpected) {
  const auto entries = environment_peers();
  if (entries.empty()) GTEST_SKIP() << "no environments: run ci/provision (ci/test does)";
  const auto peers = probe_peers(entries, std::chrono::seconds(60));
  std::map<std::string, int> per_stack;
  for (const auto& p : peers) ++per_stack[p.capabilities.stack];
  for (const auto* stack : {"openssl", "wolfssl", "gnutls"})
    EXPECT_GE(per_stack[stack], 3) << stack;

  KnownDeviations known_deviations;
  for (const auto& f : stack_deviation_files(kSource)) known_deviations.add_file(f);
  const auto suites = load_suites(kSource / "suites", TestPki(kSource / "suites" / "pki"));
  RunOptions options;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  options.known_deviations = &known_deviations;
  const auto cells = plan_cells(suites, peers, options);
  ASSERT_FALSE(cells.empty());

  const std::atomic<bool> cancelled{false};
  std::map<Status, std::size_t> seen;
  run_cells(
      cells, options, cancelled, [&](CellResult&& r) {
        SCOPED_TRACE(r.id);
        ++seen[r.verdict.status];
        EXPECT_NE(r.verdict.status, Status::error) << r.verdict.reason;
        EXPECT_TRUE(as_expected(r))
            << status_name(r.verdict.status) << " (expected " << status_name(r.expected.status)
            << ", " << (r.expected.source.empty() ? "no known deviation" : r.expected.source)
            << "): " << r.verdict.reason;
      });
  EXPECT_GT(seen[Status::pass], 0u);
}

}  // namespace
}  // namespace tlsmatrix
