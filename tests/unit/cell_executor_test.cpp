// The runner against peers that misbehave on purpose (tests/fixtures/misbehaving_peer.sh):
// every kind of breakage must end as a clear `error` within the deadline and leave no process
// behind; an honest refusal is `unsupported` and a stall its own outcome.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "matrix_runner.hpp"
#include "peer_jail.hpp"
#include "scenario_loader.hpp"

namespace tlsmatrix {
namespace {

// Every peer of these tests runs through the jail, as under `tlsmatrix run`.
const bool kJailed = [] {
  use_peer_jail(make_peer_jail(TLSMATRIX_BINARY_DIR, ""));
  return true;
}();

const std::string kFixture =
    std::string(TLSMATRIX_SOURCE_DIR) + "/tests/fixtures/misbehaving_peer.sh";
// Names what the fixture leaves running, unique to this test process (ctest runs several).
const std::string kToken = std::to_string(::getpid());

Peer fake_peer(const std::string& mode) {
  Peer p;
  p.entry = {mode + "@fixture", "fake", "fixture", {"bash", kFixture, mode, kToken}, "test"};
  p.capabilities.stack = "fake";
  const ItemControl full{true, true};
  p.capabilities.versions = {{"TLSv1.2", {full, full}}, {"TLSv1.3", {full, full}}};
  p.capabilities.groups = {{"x25519", {full, full}}, {"secp256r1", {full, full}}};
  p.capabilities.features = {Feature::key_share_selection};
  return p;
}

const Suite& hrr_suite() {
  static const Suite suite = load_suite_text(
      R"(schema_version: 1
suite: unit
title: unit
scenarios:
  - id: hrr
    title: HRR
    client: {groups: [x25519, secp256r1], key_shares: [x25519]}
    server: {groups: [secp256r1]}
    expect:
      - handshake: success
        cite: RFC 8446 §4.1.1
      - hello_retry_request: true
        cite: RFC 8446 §4.1.1
)",
      "unit.yaml", TestPki(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites/pki"));
  return suite;
}

// A scenario of two connections (resumption, peers/PROTOCOL.md "Connections").
const Suite& two_connection_suite() {
  static const Suite suite = load_suite_file(
      std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "tests/fixtures/two-connections.yaml",
      TestPki(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites/pki"));
  return suite;
}

struct Timed {
  CellResult result;
  double seconds;
};

Timed run(const Peer& client, const Peer& server,
          std::chrono::milliseconds timeout = std::chrono::seconds(3),
          const Suite& suite = hrr_suite()) {
  const std::atomic<bool> cancelled{false};
  const PlannedCell cell{"unit/" + suite.scenarios[0].id, &suite, &suite.scenarios[0], &client,
                         &server};
  const auto start = std::chrono::steady_clock::now();
  auto result = run_cell(cell, timeout, cancelled);
  return {std::move(result),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

bool fixture_processes_left() {
  return std::system(("pgrep -f '^tlsmatrix-fixture-" + kToken + " ' >/dev/null").c_str()) == 0;
}

class MisbehavingPeer : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_FALSE(fixture_processes_left()) << "a peer outlived its cell"; }
};

TEST_F(MisbehavingPeer, GarbageOnStdoutIsAnError) {
  const auto t = run(fake_peer("claims-x25519"), fake_peer("garbage"));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find("server peer garbage@fixture printed garbage on stdout"),
            std::string::npos)
      << t.result.verdict.reason;
}

TEST_F(MisbehavingPeer, HangingServerTimesOut) {
  const auto t =
      run(fake_peer("claims-x25519"), fake_peer("hang"), std::chrono::milliseconds(1500));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find(
                "timed out after 1500 ms waiting for server peer hang@fixture to listen"),
            std::string::npos)
      << t.result.verdict.reason;
  EXPECT_LT(t.seconds, 5.0);
}

TEST_F(MisbehavingPeer, HangingPeerWithChildrenIsKilledWithThem) {
  const auto t =
      run(fake_peer("hang"), fake_peer("hang-with-child"), std::chrono::milliseconds(1500));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find("waiting for a result from"), std::string::npos)
      << t.result.verdict.reason;
  EXPECT_LT(t.seconds, 5.0);
}

TEST_F(MisbehavingPeer, CrashIsAnErrorNamingTheSignal) {
  const auto t = run(fake_peer("claims-x25519"), fake_peer("crash"));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(
      t.result.verdict.reason.find("server peer crash@fixture ended without a result (signal 11"),
      std::string::npos)
      << t.result.verdict.reason;
}

TEST_F(MisbehavingPeer, SilentExitIsAnError) {
  const auto t = run(fake_peer("silent-exit"), fake_peer("claims-x25519"));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find(
                "client peer silent-exit@fixture ended without a result (exit status 0)"),
            std::string::npos)
      << t.result.verdict.reason;
}

TEST_F(MisbehavingPeer, WrongProtocolVersionIsAnError) {
  const auto t = run(fake_peer("claims-x25519"), fake_peer("wrong-protocol"));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find("server peer wrong-protocol@fixture speaks peer protocol "
                                         "99, but this runner speaks protocol 6"),
            std::string::npos)
      << t.result.verdict.reason;
}

TEST_F(MisbehavingPeer, MissingBinaryIsAnError) {
  auto missing = fake_peer("x");
  missing.entry.command = {"/nonexistent/tlsmatrix-peer"};
  const auto t = run(fake_peer("claims-x25519"), missing);
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find("cannot start '/nonexistent/tlsmatrix-peer'"),
            std::string::npos)
      << t.result.verdict.reason;
}

TEST_F(MisbehavingPeer, ClaimsWithoutAHandshakeOnTheWireAreAnError) {
  // Both peers claim a complete handshake, but the client never connected: nothing crossed
  // the relay, so their word is all a verdict would rest on.
  const auto t = run(fake_peer("claims-x25519"), fake_peer("claims-x25519"));
  EXPECT_EQ(t.result.verdict.status, Status::error) << t.result.verdict.reason;
  EXPECT_NE(t.result.verdict.reason.find(
                "client peer claims-x25519@fixture and server peer claims-x25519@fixture report a "
                "completed handshake but the wire shows no handshake (no ClientHello, no "
                "ServerHello; the relay saw 0 bytes client->server, 0 server->client)"),
            std::string::npos)
      << t.result.verdict.reason;
}

TEST_F(MisbehavingPeer, OutcomesLeaveTheKeyLogToItsFile) {
  // The peers report a `keylog` (empty here); its secrets belong in logs/CELL.keylog only.
  const auto t = run(fake_peer("claims-x25519"), fake_peer("claims-x25519"));
  ASSERT_TRUE(t.result.client_outcome.is_object());
  ASSERT_TRUE(t.result.server_outcome.is_object());
  EXPECT_FALSE(t.result.client_outcome.contains("keylog"));
  EXPECT_FALSE(t.result.server_outcome.contains("keylog"));
}

TEST_F(MisbehavingPeer, PeerThatStopsAfterACompletedConnectionOfTwoIsAnError) {
  // Each side reports connection 1 done and exits: connection 2 is owed.
  auto peer = fake_peer("claims-x25519");
  peer.capabilities.features.insert(Feature::session_tickets);  // the scenario asks for tickets
  const auto t = run(peer, peer, std::chrono::seconds(3), two_connection_suite());
  EXPECT_EQ(t.result.verdict.status, Status::error) << t.result.verdict.reason;
  EXPECT_NE(t.result.verdict.reason.find(
                "ended after connection 1 of 2 without a result for the next (exit status 0)"),
            std::string::npos)
      << t.result.verdict.reason;
  EXPECT_LT(t.seconds, 3.0);
}

TEST_F(MisbehavingPeer, ResultsOutOfOrderOrUnnumberedAreErrors) {
  const auto skipped = run(fake_peer("result-for-connection-2"), fake_peer("claims-x25519"));
  EXPECT_EQ(skipped.result.verdict.status, Status::error);
  EXPECT_NE(
      skipped.result.verdict.reason.find("client peer result-for-connection-2@fixture sent a "
                                         "result for connection 2 where connection 1 was due"),
      std::string::npos)
      << skipped.result.verdict.reason;
  const auto unnumbered = run(fake_peer("result-without-connection"), fake_peer("claims-x25519"));
  EXPECT_EQ(unnumbered.result.verdict.status, Status::error);
  EXPECT_NE(unnumbered.result.verdict.reason.find("sent a result for connection (none) where "
                                                  "connection 1 was due"),
            std::string::npos)
      << unnumbered.result.verdict.reason;
}

TEST_F(MisbehavingPeer, RefusedConfigurationIsUnsupportedNamingTheSetting) {
  const auto t = run(fake_peer("refuses-key-shares"), fake_peer("nobody-connects"));
  EXPECT_EQ(t.result.verdict.status, Status::unsupported) << t.result.verdict.reason;
  EXPECT_EQ(t.result.verdict.reason,
            "client refuses-key-shares@fixture refused key_shares: cannot send a key share for "
            "secp256r1 alone");
}

// PROTOCOL.md "Stages": a server that stops while configuring never listens, so no client is
// started (`hang` would time out the cell if it were).
TEST_F(MisbehavingPeer, ServerRefusalBeforeListeningIsUnsupportedWithoutAClient) {
  const auto t = run(fake_peer("hang"), fake_peer("refuses-groups"));
  EXPECT_EQ(t.result.verdict.status, Status::unsupported) << t.result.verdict.reason;
  EXPECT_EQ(t.result.verdict.reason,
            "server refuses-groups@fixture refused groups: no group secp256r1");
  EXPECT_EQ(t.result.server_missing, std::vector<std::string>{"refused groups"});
  EXPECT_TRUE(t.result.client_outcome.is_null());
  EXPECT_EQ(t.result.client_exit, "");
  EXPECT_EQ(t.result.server_exit, "exit status 0");
  EXPECT_LT(t.seconds, 1.0);
}

TEST_F(MisbehavingPeer, ServerConfigureFailureBeforeListeningIsAnErrorWithoutAClient) {
  const auto t = run(fake_peer("hang"), fake_peer("configure-fails"));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find("server peer configure-fails@fixture could not apply its "
                                         "configuration: adapter failed while configuring: out "
                                         "of memory"),
            std::string::npos)
      << t.result.verdict.reason;
  EXPECT_EQ(t.result.client_exit, "");
  EXPECT_LT(t.seconds, 1.0);
}

TEST_F(MisbehavingPeer, ServerResultWithoutListeningIsAnError) {
  const auto t = run(fake_peer("hang"), fake_peer("cannot-listen"));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_EQ(t.result.verdict.reason,
            "server peer cannot-listen@fixture reported stage connect without listening: bind "
            "127.0.0.1: Address already in use");
  EXPECT_LT(t.seconds, 1.0);
}

// A client that stops while configuring never connects: its server, listening and waiting
// (with a child of its own), is ended at once instead of holding the cell to its deadline.
TEST_F(MisbehavingPeer, ClientRefusalEndsTheWaitingServer) {
  const auto t = run(fake_peer("refuses-key-shares"), fake_peer("hang-with-child"));
  EXPECT_EQ(t.result.verdict.status, Status::unsupported) << t.result.verdict.reason;
  EXPECT_EQ(t.result.verdict.reason,
            "client refuses-key-shares@fixture refused key_shares: cannot send a key share for "
            "secp256r1 alone");
  EXPECT_EQ(t.result.client_exit, "exit status 0");
  EXPECT_NE(t.result.server_exit.find("ended by the runner: its client made no further connection"),
            std::string::npos)
      << t.result.server_exit;
  EXPECT_LT(t.seconds, 1.5);
}

TEST_F(MisbehavingPeer, ClientConfigureFailureEndsTheWaitingServer) {
  const auto t = run(fake_peer("configure-fails"), fake_peer("hang-with-child"));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find("client peer configure-fails@fixture could not apply its "
                                         "configuration: adapter failed while configuring: out "
                                         "of memory"),
            std::string::npos)
      << t.result.verdict.reason;
  EXPECT_LT(t.seconds, 1.5);
}

TEST_F(MisbehavingPeer, StallIsItsOwnOutcomeNamingWhoWaitedAndTheWire) {
  const auto t = run(fake_peer("stalls"), fake_peer("nobody-connects"));
  EXPECT_EQ(t.result.verdict.status, Status::fail) << t.result.verdict.reason;
  ASSERT_FALSE(t.result.verdict.checks.empty());
  EXPECT_EQ(t.result.verdict.checks[0].observed, "stalled");
  EXPECT_NE(t.result.verdict.reason.find(
                "handshake stalled: client stalls@fixture timed out in handshake waiting for the "
                "server; server nobody-connects@fixture timed out in connect waiting for the "
                "client; last on the wire: client->server: nothing; server->client: nothing"),
            std::string::npos)
      << t.result.verdict.reason;
}

TEST_F(MisbehavingPeer, MissingCapabilityIsUnsupportedWithoutRunning) {
  auto limited = fake_peer("hang");  // would time out if it were started
  limited.capabilities.groups.erase("secp256r1");
  const auto t = run(fake_peer("claims-x25519"), limited);
  EXPECT_EQ(t.result.verdict.status, Status::unsupported);
  EXPECT_EQ(t.result.verdict.reason, "server hang@fixture lacks group secp256r1");
  EXPECT_LT(t.seconds, 0.5);
}

// Valid JSON with fields of the wrong type: an error naming the peer and the field, never an
// exception out of the runner (issue 8, finding 1).
TEST_F(MisbehavingPeer, WrongTypesInEventsAreErrorsNamingPeerAndField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"port-string",
       "server peer port-string@fixture: event 'listening': 'port' must be a number 1..65535, "
       "got \"40123\""},
      {"port-huge", "server peer port-huge@fixture printed garbage on stdout"},
      {"port-out-of-range",
       "server peer port-out-of-range@fixture: event 'listening': 'port' must be a number "
       "1..65535, got 70000"},
      {"protocol-string",
       "server peer protocol-string@fixture speaks peer protocol \"2\", but this runner"},
      {"protocol-null", "server peer protocol-null@fixture speaks peer protocol null"},
      {"message-number", "server peer message-number@fixture rejected its request: 42"},
      {"outcome-stage-number", "server peer outcome-stage-number@fixture sent a malformed result"},
  };
  for (const auto& [mode, expected] : cases) {
    const auto t = run(fake_peer("claims-x25519"), fake_peer(mode));
    EXPECT_EQ(t.result.verdict.status, Status::error) << mode;
    EXPECT_NE(t.result.verdict.reason.find(expected), std::string::npos)
        << mode << ": " << t.result.verdict.reason;
    EXPECT_LT(t.seconds, 2.0) << mode;
  }
}

// A peer that leaves the process group with the runner's pipes still ends with its cell, at
// the deadline (issue 8, finding 6).
TEST_F(MisbehavingPeer, PeerThatCallsSetsidEndsAtTheDeadline) {
  const auto t =
      run(fake_peer("claims-x25519"), fake_peer("setsid-hang"), std::chrono::milliseconds(1500));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find("timed out after 1500 ms"), std::string::npos)
      << t.result.verdict.reason;
  EXPECT_LT(t.seconds, 3.0);
}

TEST_F(MisbehavingPeer, SetsidGrandchildHoldingThePipesEndsWithItsPeer) {
  const auto t = run(fake_peer("refuses-key-shares"), fake_peer("setsid-grandchild"),
                     std::chrono::milliseconds(3000));
  EXPECT_EQ(t.result.verdict.status, Status::unsupported) << t.result.verdict.reason;
  EXPECT_LT(t.seconds, 2.0) << t.result.verdict.reason;
}

// A daemon started by a peer that answers does not outlive the cell (finding 7): checked by
// the fixture's TearDown.
TEST_F(MisbehavingPeer, DaemonOfAnAnsweringPeerDiesWithTheCell) {
  const auto t = run(fake_peer("refuses-key-shares"), fake_peer("daemonizes"),
                     std::chrono::milliseconds(3000));
  EXPECT_EQ(t.result.verdict.status, Status::unsupported) << t.result.verdict.reason;
  EXPECT_LT(t.seconds, 2.0);
}

// The client never ran: the message names the server (finding 14).
TEST_F(MisbehavingPeer, ServerResultWithoutListeningNamesTheServer) {
  const auto t = run(fake_peer("claims-x25519"), fake_peer("result-without-listening"));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_EQ(t.result.verdict.reason,
            "server peer result-without-listening@fixture reported stage handshake without "
            "listening: handshake failed");
  EXPECT_TRUE(t.result.client_exit.empty()) << t.result.client_exit;
}

// ... and when it then keeps running, the cell ends at once instead of at its deadline.
TEST_F(MisbehavingPeer, ServerResultWithoutListeningEndsTheCellAtOnce) {
  const auto t = run(fake_peer("claims-x25519"), fake_peer("result-without-listening-then-hang"),
                     std::chrono::milliseconds(3000));
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_EQ(t.result.verdict.reason,
            "server peer result-without-listening-then-hang@fixture reported stage handshake "
            "without listening: handshake failed");
  EXPECT_LT(t.seconds, 1.5);
}

PeerEntry probe_entry(const std::string& mode) {
  return PeerEntry{mode + "@fixture", "fake", "fixture", {"bash", kFixture, mode, kToken}, "test"};
}

std::string probe_error(const std::string& mode,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5),
                        const std::atomic<bool>& cancelled = kNeverCancelled) {
  try {
    probe_peers({probe_entry(mode)}, timeout, cancelled);
  } catch (const CatalogError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(PeerProbe, WrongTypesInCapabilitiesNamePeerAndField) {
  EXPECT_NE(probe_error("caps-stack-number").find("peer caps-stack-number@fixture"),
            std::string::npos);
  EXPECT_NE(probe_error("caps-stack-number")
                .find("capabilities event: 'stack' has the wrong type, got 7"),
            std::string::npos)
      << probe_error("caps-stack-number");
  EXPECT_NE(
      probe_error("caps-versions-list").find("capabilities event: versions: expected an object"),
      std::string::npos)
      << probe_error("caps-versions-list");
  EXPECT_NE(probe_error("caps-huge-number").find("peer caps-huge-number@fixture"),
            std::string::npos)
      << probe_error("caps-huge-number");
}

// --capabilities output is capped like a cell's (finding 8).
TEST(PeerProbe, FloodIsCutOff) {
  for (const auto* mode : {"caps-flood-zero", "caps-flood-yes"}) {
    const auto start = std::chrono::steady_clock::now();
    const auto error = probe_error(mode);
    EXPECT_NE(error.find(fmt::format("--capabilities printed more than {} bytes on stdout",
                                     kMaxEventLine)),
              std::string::npos)
        << error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3)) << mode;
  }
}

// SIGINT during probing: noticed within ~100 ms, the probe and its daemon killed (finding 15).
TEST(PeerProbe, CancellationEndsProbingAtOnce) {
  std::atomic<bool> cancelled{false};
  std::thread interrupt([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancelled = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const auto error = probe_error("caps-daemon-hang", std::chrono::seconds(10), cancelled);
  const auto took = std::chrono::steady_clock::now() - start;
  interrupt.join();
  EXPECT_NE(error.find("interrupted"), std::string::npos) << error;
  EXPECT_LT(took, std::chrono::milliseconds(800));
  EXPECT_FALSE(fixture_processes_left());
}

TEST(PeerProbe, GarbageAndHangsAreNamed) {
  const auto entry = [](const std::string& mode) {
    return PeerEntry{
        mode + "@fixture", "fake", "fixture", {"bash", kFixture, mode, kToken}, "test"};
  };
  try {
    probe_peers({entry("caps-garbage")}, std::chrono::seconds(3));
    FAIL() << "garbage capabilities accepted";
  } catch (const CatalogError& e) {
    EXPECT_NE(std::string(e.what()).find("peer caps-garbage@fixture"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("this is not json"), std::string::npos) << e.what();
  }
  try {
    probe_peers({entry("caps-hang")}, std::chrono::milliseconds(800));
    FAIL() << "hanging capabilities accepted";
  } catch (const CatalogError& e) {
    EXPECT_NE(std::string(e.what()).find("did not answer within 800 ms"), std::string::npos)
        << e.what();
  }
  try {
    probe_peers({entry("caps-protocol-1")}, std::chrono::seconds(3));
    FAIL() << "a protocol 1 peer accepted";
  } catch (const CatalogError& e) {
    EXPECT_NE(std::string(e.what()).find("peer caps-protocol-1@fixture"), std::string::npos)
        << e.what();
    EXPECT_NE(
        std::string(e.what()).find("speaks peer protocol 1, but this runner speaks protocol 6"),
        std::string::npos)
        << e.what();
  }
  const auto ok = probe_peers({entry("claims-x25519")}, std::chrono::seconds(3));
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].capabilities.version, "0.0.1");
}

// --- Serving peers (peers/PROTOCOL.md, "Serving many requests"): one process serves cell after
// cell of one worker; a cell that goes wrong kills it, and the next cell gets a new one.

Peer serving_peer(const std::string& mode) {
  auto peer = fake_peer(mode);
  peer.capabilities.serve = true;
  return peer;
}

// Runs the HRR cell `cells` times between `client` and `server`, all through `pool`.
std::vector<CellResult> run_in_turn(PeerPool& pool, const Peer& client, const Peer& server,
                                    int cells,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  const std::atomic<bool> cancelled{false};
  const auto& suite = hrr_suite();
  const PlannedCell cell{"unit/hrr", &suite, &suite.scenarios[0], &client, &server};
  std::vector<CellResult> results;
  for (int i = 0; i < cells; ++i)
    results.push_back(run_cell(cell, timeout, cancelled, CellContext{&pool, nullptr}));
  return results;
}

TEST_F(MisbehavingPeer, ServingPeerServesCellAfterCellInOneProcess) {
  PeerPool pool;
  const auto results =
      run_in_turn(pool, fake_peer("claims-x25519"), serving_peer("serve-refuses"), 3);
  for (const auto& result : results) {
    EXPECT_EQ(result.verdict.status, Status::unsupported) << result.verdict.reason;
    EXPECT_NE(result.server_exit.find("of its process)"), std::string::npos) << result.server_exit;
  }
  EXPECT_NE(results[2].server_exit.find("(request 3 of its process)"), std::string::npos)
      << results[2].server_exit;
  EXPECT_EQ(pool.processes_started(), 1u);
}

TEST_F(MisbehavingPeer, ServingPeerThatCrashesMidCellIsAnErrorAndIsReplaced) {
  PeerPool pool;
  const auto results = run_in_turn(pool, fake_peer("stalls"), serving_peer("serve-crash-on-2"), 3);
  EXPECT_EQ(results[0].verdict.status, Status::unsupported) << results[0].verdict.reason;
  EXPECT_EQ(results[1].verdict.status, Status::error);
  EXPECT_NE(results[1].verdict.reason.find(
                "server peer serve-crash-on-2@fixture ended without a result (signal 11"),
            std::string::npos)
      << results[1].verdict.reason;
  // The next cell runs in a new process, which knows nothing of the crash.
  EXPECT_EQ(results[2].verdict.status, Status::unsupported) << results[2].verdict.reason;
  EXPECT_NE(results[2].server_exit.find("(request 1 of its process)"), std::string::npos)
      << results[2].server_exit;
  EXPECT_EQ(pool.processes_started(), 2u);
}

TEST_F(MisbehavingPeer, ServingPeerThatHangsIsKilledAtTheDeadlineAndReplaced) {
  PeerPool pool;
  const auto start = std::chrono::steady_clock::now();
  const auto results = run_in_turn(pool, fake_peer("claims-x25519"),
                                   serving_peer("serve-hang-on-2"), 3, std::chrono::seconds(1));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 6.0);
  EXPECT_EQ(results[1].verdict.status, Status::error);
  EXPECT_NE(
      results[1].verdict.reason.find(
          "timed out after 1000 ms waiting for server peer serve-hang-on-2@fixture to listen"),
      std::string::npos)
      << results[1].verdict.reason;
  EXPECT_EQ(results[2].verdict.status, Status::unsupported) << results[2].verdict.reason;
  EXPECT_EQ(pool.processes_started(), 2u);
  EXPECT_FALSE(fixture_processes_left()) << "the hanging request outlived its cell";
}

TEST_F(MisbehavingPeer, ServingPeerThatAnswersAnEarlierRequestIsAnError) {
  PeerPool pool;
  const auto results =
      run_in_turn(pool, fake_peer("claims-x25519"), serving_peer("serve-stale-on-2"), 3);
  EXPECT_EQ(results[0].verdict.status, Status::unsupported) << results[0].verdict.reason;
  EXPECT_EQ(results[1].verdict.status, Status::error);
  EXPECT_NE(results[1].verdict.reason.find("server peer serve-stale-on-2@fixture answered request"),
            std::string::npos)
      << results[1].verdict.reason;
  EXPECT_EQ(results[2].verdict.status, Status::unsupported) << results[2].verdict.reason;
  EXPECT_EQ(pool.processes_started(), 2u);
}

TEST_F(MisbehavingPeer, CancelledRequestLeavesTheServingPeerReusable) {
  PeerPool pool;
  // The client refuses its configuration, so the listening server is told to drop the request.
  const auto results =
      run_in_turn(pool, fake_peer("refuses-groups"), serving_peer("serve-listens"), 2);
  for (const auto& result : results) {
    EXPECT_EQ(result.verdict.status, Status::unsupported) << result.verdict.reason;
    EXPECT_NE(result.server_exit.find("served request"), std::string::npos) << result.server_exit;
    EXPECT_NE(result.server_exit.find("ended by the runner"), std::string::npos)
        << result.server_exit;
  }
  EXPECT_EQ(pool.processes_started(), 1u);
}

}  // namespace
}  // namespace tlsmatrix

namespace tlsmatrix {
namespace {

// A running server (certify --server) at a loopback port where nothing listens any more.
Peer gone_running_server() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);  // the port is free again: connecting to it is refused
  Peer p;
  p.entry.id = "gone@vendor";
  RunningServer server;
  server.host = "127.0.0.1";
  server.port = ntohs(address.sin_port);
  p.entry.running_server = server;
  return p;
}

// The relay could not reach the server: the client saw its connection closed, which is no
// refusal by a server that never saw a ClientHello.
TEST_F(MisbehavingPeer, UnreachableRunningServerIsAnErrorNotARefusal) {
  const auto t = run(fake_peer("floods-empty-handshakes"), gone_running_server());
  EXPECT_EQ(t.result.verdict.status, Status::error);
  EXPECT_NE(t.result.verdict.reason.find("the running server gone@vendor at 127.0.0.1:"),
            std::string::npos)
      << t.result.verdict.reason;
  EXPECT_NE(t.result.verdict.reason.find("could not be reached"), std::string::npos)
      << t.result.verdict.reason;
  EXPECT_TRUE(t.result.server_outcome.is_null());
  EXPECT_NE(t.result.server_exit.find("not started by the runner"), std::string::npos);
}

}  // namespace
}  // namespace tlsmatrix
