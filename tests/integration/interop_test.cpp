// Real handshakes between every ordered pair of the peers this build made (its generated
// build/peers.catalog.json, so a stack added to the build brings its cells without editing
// this file): each cell of the shipped suites becomes one GoogleTest test (so --gtest_filter
// and sharding work on cells).
// Every cell must give the result the stacks' known-deviation files expect (pass where none
// says otherwise), no cell may be an `error`, and the handshakes every stack must complete
// must pass whatever the files say.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "commands.hpp"
#include "known_deviations.hpp"
#include "matrix_runner.hpp"
#include "peer_catalog.hpp"
#include "peer_jail.hpp"
#include "scenario_loader.hpp"

namespace tlsmatrix {
namespace {

// Scenarios that need nothing beyond RFC 8446 §9.1's mandatory-to-implement set, so every
// pair of stacks must pass them.
const std::set<std::string> kMustPass = {
    "baseline/tls13-ecdsa-p256", "baseline/tls13-rsa-2048",    "baseline/tls12-ecdsa-p256",
    "baseline/tls12-rsa-2048",   "baseline/tls13-aes-128-gcm", "baseline/version-negotiation-tls13",
    "groups-classical/x25519",   "groups-classical/secp256r1",
};

const std::filesystem::path kSource(TLSMATRIX_SOURCE_DIR);
const std::filesystem::path kCatalog =
    std::filesystem::path(TLSMATRIX_BINARY_DIR) / "peers.catalog.json";

// A cell every peer must pass with itself (kMustPass).
std::string mandatory_cell(const Peer& peer) {
  return "baseline/tls13-ecdsa-p256/" + peer.entry.id + "->" + peer.entry.id;
}

std::vector<std::string> shipped_deviation_files() {
  std::vector<std::string> out;
  for (const auto& f : stack_deviation_files(kSource)) out.push_back(f.string());
  return out;
}

struct World {
  std::vector<Suite> suites;
  std::vector<Peer> peers;
  KnownDeviations known_deviations;
};

World& world() {
  static World w = [] {
    World out;
    out.suites = load_suites(kSource / "suites", TestPki(kSource / "suites" / "pki"));
    for (const auto& f : shipped_deviation_files()) out.known_deviations.add_file(f);
    out.peers = probe_peers(load_catalog(kCatalog), std::chrono::seconds(60));
    return out;
  }();
  return w;
}

class InteropCell : public ::testing::Test {
 public:
  explicit InteropCell(PlannedCell cell) : cell_(std::move(cell)) {}
  void TestBody() override {
    const std::atomic<bool> cancelled{false};
    const auto result = run_cell(cell_, std::chrono::seconds(20), cancelled);
    RecordProperty("verdict", status_name(result.verdict.status));
    RecordProperty("reason", result.verdict.reason);
    RecordProperty("expected", status_name(result.expected.status));
    ASSERT_NE(result.verdict.status, Status::error) << result.verdict.reason;
    EXPECT_EQ(status_name(result.verdict.status), std::string(status_name(result.expected.status)))
        << result.verdict.reason << "\nexpected by: "
        << (result.expected.source.empty() ? "no known deviation" : result.expected.source);
    if (result.verdict.status == result.expected.status) {
      EXPECT_TRUE(as_expected(result))
          << "the reason lacks a text the known deviation requires: " << result.verdict.reason
          << "\nexpected by " << result.expected.source;
    }
    if (kMustPass.count(cell_.suite->id + "/" + cell_.scenario->id)) {
      EXPECT_EQ(result.verdict.status, Status::pass) << result.verdict.reason;
    }
    if (result.verdict.status == Status::pass && result.client_outcome["handshake_ok"] == true) {
      // A pass on a completed handshake means both sides proved working keys.
      EXPECT_EQ(result.client_outcome["app_data"]["verified"], true);
      EXPECT_EQ(result.server_outcome["app_data"]["verified"], true);
    }
  }

 private:
  PlannedCell cell_;
};

// The stacks are whatever this build's catalog lists (one tlsmatrix_add_peer each): every
// peer answers, and is of the stack its catalog entry names, so the cells below are its cells.
TEST(InteropCatalog, EveryPeerIsOfTheStackItsEntryNames) {
  ASSERT_FALSE(world().peers.empty()) << kCatalog << " lists no peer";
  for (const auto& p : world().peers)
    EXPECT_EQ(p.capabilities.stack, p.entry.stack) << p.entry.id << " in " << p.entry.catalog;
}

// The whole command, end to end: an expectation the cell contradicts makes the run fail. The
// cell is the first catalog peer with itself, and the wrong expectation is written for its
// stack, so this works with whichever stacks the build made.
int run_exit_status(const Peer& peer, const std::vector<std::string>& extra_deviation_files) {
  const auto results = std::filesystem::temp_directory_path() /
                       ("tlsmatrix-interop-exit-status-" + std::to_string(::getpid()));
  CommonOptions common;
  common.suites_dir = (kSource / "suites").string();
  common.catalogs = {kCatalog.string()};
  common.known_deviation_files = shipped_deviation_files();
  for (const auto& f : extra_deviation_files) common.known_deviation_files.push_back(f);
  RunCommandOptions run;
  run.options.filters = {mandatory_cell(peer)};
  run.options.jobs = 1;
  run.shard = "0/1";  // not the GTEST_SHARD_* of this test process
  run.results_root = results.string();
  const std::atomic<bool> cancelled{false};
  const int status = run_command(common, run, "interop_test", cancelled);
  std::filesystem::remove_all(results);
  return status;
}

TEST(InteropExitStatus, BrokenExpectationFailsTheRun) {
  ASSERT_FALSE(world().peers.empty());
  const auto& peer = world().peers.front();
  // A deliberately wrong known deviation (format: results/README.md): the peer's stack is said
  // to fail the mandatory-to-implement TLS 1.3 handshake with itself.
  const auto broken =
      std::filesystem::temp_directory_path() /
      ("tlsmatrix-interop-broken-expectation-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(broken) << "schema_version: 1\n"
                        << "stack: " << peer.entry.stack << "\n"
                        << "deviations:\n"
                        << "  - cells: \"" << mandatory_cell(peer) << "\"\n"
                        << "    status: fail\n"
                        << "    reason: deliberately wrong, so the run must report this cell as "
                           "unexpected\n"
                        << "    reference: not reported upstream\n";
  EXPECT_EQ(run_exit_status(peer, {}), 0);
  EXPECT_EQ(run_exit_status(peer, {broken.string()}), 1);
  std::filesystem::remove(broken);
}

void register_cells() {
  RunOptions options;
  options.known_deviations = &world().known_deviations;
  for (const auto& cell : plan_cells(world().suites, world().peers, options)) {
    auto name = cell.client->entry.id + "__" + cell.server->entry.id;
    ::testing::RegisterTest(("Interop/" + cell.suite->id + "/" + cell.scenario->id).c_str(),
                            name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [cell]() -> ::testing::Test* { return new InteropCell(cell); });
  }
}

}  // namespace
}  // namespace tlsmatrix

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  try {
    // Every peer runs through the jail, unprivileged, as under `tlsmatrix run`.
    tlsmatrix::use_peer_jail(tlsmatrix::make_peer_jail(TLSMATRIX_BINARY_DIR, ""));
    tlsmatrix::register_cells();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot set up the interop cells: %s\n", e.what());
    return 1;
  }
  return RUN_ALL_TESTS();
}
