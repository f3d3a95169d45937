// Real handshakes between every ordered pair of the peers this build made: each cell of the
// shipped suites becomes one GoogleTest test (so --gtest_filter and sharding work on cells).
// No cell may be an `error`, and the handshakes every stack must complete must pass.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "matrix_runner.hpp"
#include "peer_catalog.hpp"
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

struct World {
  std::vector<Suite> suites;
  std::vector<Peer> peers;
};

World& world() {
  static World w = [] {
    World out;
    const std::filesystem::path source(TLSMATRIX_SOURCE_DIR);
    out.suites = load_suites(source / "suites", TestPki(source / "suites" / "pki"));
    out.peers = probe_peers(
        load_catalog(std::filesystem::path(TLSMATRIX_BINARY_DIR) / "peers.catalog.json"),
        std::chrono::seconds(10));
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
    ASSERT_NE(result.verdict.status, Status::error) << result.verdict.reason;
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

TEST(InteropCatalog, HasThePeersOfEveryStack) {
  std::set<std::string> stacks;
  for (const auto& p : world().peers) stacks.insert(p.capabilities.stack);
  EXPECT_EQ(stacks, (std::set<std::string>{"gnutls", "openssl", "wolfssl"}));
}

void register_cells() {
  RunOptions options;
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
    tlsmatrix::register_cells();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot set up the interop cells: %s\n", e.what());
    return 1;
  }
  return RUN_ALL_TESTS();
}
