// A serving peer that leaks state between requests is caught (peers/PROTOCOL.md, "Serving many
// requests"): tests/fixtures/remembering_peer.py, a Python ssl client that keeps the session of
// its previous request and offers it in the next, against this build's OpenSSL server. With
// TLSMATRIX_FIXTURE_NO_LEAK=1 the same peer keeps nothing, and the same cells pass.
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
    std::erase_if(entries, [](const PeerEntry& e) { return e.stack != "openssl"; });
    entries.push_back({"remembering@fixture",
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

// The two-connection ticket cell twice in a row, the client a serving remembering peer.
std::vector<CellResult> two_cells_in_one_client_process(PeerPool& pool) {
  const auto& all = peers();
  if (all.size() != 2 || all[0].entry.stack != "openssl") return {};
  const Peer& server = all[0];
  const Peer& client = all[1];
  EXPECT_TRUE(client.capabilities.serve);
  RandomRegistry randoms;
  const std::atomic<bool> cancelled{false};
  const auto& suite = tickets_suite();
  const PlannedCell cell{"demo/tickets", &suite, &suite.scenarios[0], &client, &server};
  std::vector<CellResult> out;
  for (int i = 0; i < 2; ++i)
    out.push_back(run_cell(cell, std::chrono::seconds(20), cancelled, {&pool, &randoms}));
  return out;
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

}  // namespace
}  // namespace tlsmatrix
