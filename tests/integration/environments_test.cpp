// The hybrid groups across every stack environment ci/provision made (peers/environments/):
// every pair of releases, both directions. ci/test provisions the environments before it runs
// the tests, so this runs in CI; by hand, run ci/provision first.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "matrix_runner.hpp"
#include "peer_catalog.hpp"
#include "scenario_loader.hpp"

namespace tlsmatrix {
namespace {

std::vector<PeerEntry> environment_peers() {
  std::vector<PeerEntry> entries;
  const std::filesystem::path root =
      std::filesystem::path(TLSMATRIX_SOURCE_DIR) / ".cache" / "environments";
  for (const auto& catalog : environment_catalogs(root))
    for (auto& e : load_catalog(catalog)) entries.push_back(std::move(e));
  return entries;
}

// Releases with ML-KEM hybrids: OpenSSL from 3.5, wolfSSL from 5.9 (Debian's and ours).
bool has_hybrids(const Capabilities& c) {
  const auto at_least = [&](int major, int minor) {
    int a = 0, b = 0;
    std::sscanf(c.version.c_str(), "%d.%d", &a, &b);
    return a > major || (a == major && b >= minor);
  };
  return (c.stack == "openssl" && at_least(3, 5)) || (c.stack == "wolfssl" && at_least(5, 9));
}

TEST(EnvironmentMatrix, HybridGroupsAcrossReleases) {
  const auto entries = environment_peers();
  if (entries.empty()) GTEST_SKIP() << "no environments: run ci/provision (ci/test does)";
  const auto peers = probe_peers(entries, std::chrono::seconds(20));
  std::map<std::string, int> per_stack;
  for (const auto& p : peers) ++per_stack[p.capabilities.stack];
  for (const auto* stack : {"openssl", "wolfssl", "gnutls"})
    EXPECT_GE(per_stack[stack], 3) << stack;

  const std::filesystem::path source(TLSMATRIX_SOURCE_DIR);
  const auto suites =
      load_suites(source / "suites", TestPki(source / "suites" / "pki"), {"groups-hybrid"});
  RunOptions options;
  options.filters = {"groups-hybrid/x25519mlkem768-only/*",
                     "groups-hybrid/secp256r1mlkem768-only/*"};
  options.jobs = 2;
  const auto cells = plan_cells(suites, peers, options);
  ASSERT_EQ(cells.size(), 2 * peers.size() * peers.size());

  const std::atomic<bool> cancelled{false};
  std::size_t passes = 0;
  run_cells(cells, options, cancelled, [&](CellResult&& r) {
    SCOPED_TRACE(r.id);
    ASSERT_NE(r.verdict.status, Status::error) << r.verdict.reason;
    const bool both = has_hybrids(r.client->capabilities) && has_hybrids(r.server->capabilities);
    if (both) {
      EXPECT_EQ(r.verdict.status, Status::pass) << r.verdict.reason;
      passes += r.verdict.status == Status::pass;
    } else {
      EXPECT_EQ(r.verdict.status, Status::unsupported) << r.verdict.reason;
      EXPECT_NE(r.verdict.reason.find("lacks group"), std::string::npos) << r.verdict.reason;
    }
  });
  EXPECT_GT(passes, 0u);
}

}  // namespace
}  // namespace tlsmatrix
