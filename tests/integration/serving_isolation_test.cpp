// A serving peer that leaks state between requests is caught (peers/PROTOCOL.md, "Serving many
// requests"): tests/fixtures/remembering_peer.py, a Python ssl peer whose client keeps the
// session of its previous request and offers it in the next, and whose server keeps its session
// cache. Against this build's OpenSSL server the offered ticket is caught; between two such
// peers the resumed TLS 1.2 session is. With TLSMATRIX_FIXTURE_NO_LEAK=1 the same peer keeps
// nothing, and the same cells pass. The wolfSSL peer, which serves in process, forgets the
// sessions its library keeps in static tables: offered an earlier request's TLS 1.2 session,
// it makes a full handshake.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include "matrix_runner.hpp"
#include "peer_catalog.hpp"
#include "scenario_loader.hpp"

namespace tlsmatrix {
namespace {

const std::filesystem::path kSource(TLSMATRIX_SOURCE_DIR);

const std::vector<Peer>& peers() {
  static const auto all = [] {
    auto entries = load_catalog(std::filesystem::path(TLSMATRIX_BINARY_DIR) / "peers.catalog.json");
    std::erase_if(entries,
                  [](const PeerEntry& e) { return e.stack != "openssl" && e.stack != "wolfssl"; });
    // The same fixture twice, under two ids: a worker's pool keeps processes per peer id, so
    // the one that served as client serves as client again.
    for (const auto* id : {"remembering@fixture", "remembering-server@fixture"})
      entries.push_back({id,
                         "python-ssl",
                         "fixture",
                         {"python3", (kSource / "tests/fixtures/remembering_peer.py").string()},
                         "test"});
    return probe_peers(entries, std::chrono::seconds(60));
  }();
  return all;
}

// Two connections with tickets (as tests/fixtures/two-connections.yaml), TLS 1.3 only: the
// Python peer has no TLS 1.2.
const Suite& tickets_suite() {
  static const Suite suite = load_suite_text(R"(schema_version: 1
suite: demo
title: Demo
defaults:
  client: {trust: ca-ecdsa, session_tickets: true, min_version: TLSv1.3}
  server: {certificate: server-ecdsa-p256, session_tickets: true, min_version: TLSv1.3}
scenarios:
  - id: tickets
    title: Tickets
    connections: 2
    expect:
      - handshake: success
        connection: 1
        cite: RFC 8446 §2
      - handshake: success
        cite: RFC 8446 §2.2
      - resumed: true
        cite: RFC 8446 §2.2
)",
                                             "demo.yaml", TestPki(kSource / "suites/pki"));
  return suite;
}

// One full TLS 1.2 handshake (ECDSA certificate, no tickets: the session is kept by its ID).
const Suite& tls12_suite() {
  static const Suite suite = load_suite_text(R"(schema_version: 1
suite: demo12
title: Demo
defaults:
  client: {trust: ca-ecdsa, max_version: TLSv1.2}
  server: {certificate: server-ecdsa-p256, max_version: TLSv1.2}
scenarios:
  - id: tls12
    title: TLS 1.2
    expect:
      - handshake: success
        cite: RFC 5246 §7.3
)",
                                             "demo12.yaml", TestPki(kSource / "suites/pki"));
  return suite;
}

// The first peer of `stack`, or the one with id `id`.
const Peer* peer_of(const std::string& stack, const std::string& id = "") {
  for (const auto& peer : peers())
    if (id.empty() ? peer.entry.stack == stack : peer.entry.id == id) return &peer;
  return nullptr;
}

// The suite's one cell twice in a row, each peer a serving process that handles both.
std::vector<CellResult> two_cells_in_one_process(PeerPool& pool, const Suite& suite,
                                                 const Peer& client, const Peer& server) {
  EXPECT_TRUE(client.capabilities.serve);
  EXPECT_TRUE(server.capabilities.serve);
  RandomRegistry randoms;
  const std::atomic<bool> cancelled{false};
  const auto id = suite.id + "/" + suite.scenarios[0].id;
  const PlannedCell cell{id, &suite, &suite.scenarios[0], &client, &server};
  std::vector<CellResult> out;
  for (int i = 0; i < 2; ++i)
    out.push_back(run_cell(cell, std::chrono::seconds(20), cancelled, {&pool, &randoms}));
  return out;
}

// The two-connection ticket cell twice in a row, the client a serving remembering peer.
std::vector<CellResult> two_cells_in_one_client_process(PeerPool& pool) {
  const auto* server = peer_of("openssl");
  const auto* client = peer_of("python-ssl");
  if (!server || !client) return {};
  return two_cells_in_one_process(pool, tickets_suite(), *client, *server);
}

TEST(ServingIsolation, APeerThatOffersAnEarlierRequestsSessionIsAnError) {
  ::unsetenv("TLSMATRIX_FIXTURE_NO_LEAK");
  PeerPool pool;
  const auto cells = two_cells_in_one_client_process(pool);
  if (cells.empty()) GTEST_SKIP() << "this build has no OpenSSL peer";
  EXPECT_EQ(cells[0].verdict.status, Status::pass) << cells[0].verdict.reason;
  EXPECT_EQ(cells[1].verdict.status, Status::error);
  EXPECT_NE(cells[1].verdict.reason.find(
                "client peer remembering@fixture offered a PSK in the cell's first connection "
                "without being given one"),
            std::string::npos)
      << cells[1].verdict.reason;
  EXPECT_EQ(pool.processes_started(), 2u);  // one server, one client: each served both cells
}

TEST(ServingIsolation, TheSamePeerKeepingNothingPassesTwice) {
  ::setenv("TLSMATRIX_FIXTURE_NO_LEAK", "1", 1);
  PeerPool pool;
  const auto cells = two_cells_in_one_client_process(pool);
  ::unsetenv("TLSMATRIX_FIXTURE_NO_LEAK");
  if (cells.empty()) GTEST_SKIP() << "this build has no OpenSSL peer";
  for (const auto& cell : cells)
    EXPECT_EQ(cell.verdict.status, Status::pass) << cell.verdict.reason;
  EXPECT_EQ(pool.processes_started(), 2u);
}

TEST(ServingIsolation, AServerThatResumesAnEarlierRequestsTls12SessionIsAnError) {
  ::unsetenv("TLSMATRIX_FIXTURE_NO_LEAK");
  const auto* client = peer_of("python-ssl");
  const auto* server = peer_of("python-ssl", "remembering-server@fixture");
  ASSERT_NE(server, nullptr);
  PeerPool pool;
  const auto cells = two_cells_in_one_process(pool, tls12_suite(), *client, *server);
  EXPECT_EQ(cells[0].verdict.status, Status::pass) << cells[0].verdict.reason;
  EXPECT_EQ(cells[1].verdict.status, Status::error);
  EXPECT_NE(cells[1].verdict.reason.find("server peer remembering-server@fixture resumed a TLS 1.2 "
                                         "session in the cell's first connection"),
            std::string::npos)
      << cells[1].verdict.reason;
}

TEST(ServingIsolation, AWolfsslServerForgetsAnEarlierRequestsTls12Session) {
  ::unsetenv("TLSMATRIX_FIXTURE_NO_LEAK");
  const auto* server = peer_of("wolfssl");
  const auto* client = peer_of("python-ssl");
  if (!server) GTEST_SKIP() << "this build has no wolfSSL peer";
  PeerPool pool;
  // The client offers cell 1's session in cell 2 (the test above shows it resumed by a server
  // that keeps it); the wolfSSL server, serving both cells in one process, makes a full
  // handshake.
  const auto cells = two_cells_in_one_process(pool, tls12_suite(), *client, *server);
  for (const auto& cell : cells) {
    EXPECT_EQ(cell.verdict.status, Status::pass) << cell.verdict.reason;
    EXPECT_EQ(cell.server_outcome.value("resumed", nlohmann::json()), false) << cell.server_outcome;
  }
  EXPECT_EQ(pool.processes_started(), 2u);
}

}  // namespace
}  // namespace tlsmatrix
