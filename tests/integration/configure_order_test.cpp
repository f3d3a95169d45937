// PROTOCOL.md "Stages" with the real peers: a peer configures its library before it listens or
// connects. A server given a group its library lacks refuses it instead of announcing
// `listening`, so the runner starts no client; a client that refuses never connects, and the
// runner ends its waiting server at once.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "child_process.hpp"
#include "matrix_runner.hpp"
#include "peer_catalog.hpp"
#include "protocol_json.hpp"
#include "scenario_loader.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix {
namespace {

const std::filesystem::path kSource(TLSMATRIX_SOURCE_DIR);

const std::vector<Peer>& peers() {
  static const auto all =
      probe_peers(load_catalog(std::filesystem::path(TLSMATRIX_BINARY_DIR) / "peers.catalog.json"),
                  std::chrono::seconds(60));
  return all;
}

// Each peer with a post-quantum group its library does not implement in either role: a library
// without it cannot even name it, so configuring it is refused.
std::vector<std::pair<const Peer*, std::string>> peers_lacking_a_group() {
  std::vector<std::pair<const Peer*, std::string>> out;
  for (const auto& peer : peers())
    for (const auto& g : known_groups())
      if ((g.kind == "mlkem" || g.kind == "hybrid") &&
          !peer.capabilities.groups.count(std::string(g.name))) {
        out.emplace_back(&peer, std::string(g.name));
        break;
      }
  return out;
}

// The events the peer printed as a server configured with `config`, in order.
std::vector<nlohmann::json> server_events(const Peer& peer, EndpointConfig config) {
  config.role = Role::server;
  config.timeout_ms = 2000;
  const auto request =
      nlohmann::json{{"protocol", kPeerProtocolVersion}, {"config", to_json(config)}}.dump();
  const auto run = run_child(peer.entry.command, request, std::chrono::seconds(10));
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  std::vector<nlohmann::json> events;
  std::istringstream lines(run.stdout_text);
  for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
  return events;
}

TEST(ConfigureOrder, ServerRefusesALackedGroupBeforeListening) {
  ASSERT_FALSE(peers().empty());
  const auto cases = peers_lacking_a_group();
  if (cases.empty()) GTEST_SKIP() << "every peer implements every post-quantum group";
  for (const auto& [peer, group] : cases) {
    SCOPED_TRACE(peer->entry.id);
    EndpointConfig config;
    config.groups = {group};
    const auto events = server_events(*peer, config);
    ASSERT_EQ(events.size(), 1u) << "expected the result alone, without `listening`";
    EXPECT_EQ(events[0]["event"], "result");
    const auto& outcome = events[0]["outcome"];
    EXPECT_EQ(outcome["stage"], "configure");
    EXPECT_EQ(outcome["refused"]["setting"], "groups") << outcome.dump();
  }
}

// fallback_scsv is a client's signal (RFC 7507 §4): every server refuses it by name.
TEST(ConfigureOrder, ServerRefusesTheClientOnlyFallbackScsv) {
  ASSERT_FALSE(peers().empty());
  for (const auto& peer : peers()) {
    SCOPED_TRACE(peer.entry.id);
    EndpointConfig config;
    config.fallback_scsv = true;
    const auto events = server_events(peer, config);
    ASSERT_EQ(events.size(), 1u) << "expected the result alone, without `listening`";
    const auto& outcome = events[0]["outcome"];
    EXPECT_EQ(outcome["stage"], "configure");
    EXPECT_EQ(outcome["refused"]["setting"], "fallback_scsv") << outcome.dump();
    EXPECT_NE(outcome["refused"]["reason"].get<std::string>().find("client-only setting"),
              std::string::npos)
        << outcome.dump();
  }
}

// A cell whose `side` is configured with `group`. The peer claims the group, so the planner
// runs the cell and the refusal can only come from the peer at run time.
struct RefusingCell {
  Suite suite;
  Peer client;
  Peer server;

  RefusingCell(const Peer& peer, const std::string& side, const std::string& group)
      : client(peer), server(peer) {
    const auto text = fmt::format(R"(schema_version: 1
suite: unit
title: unit
scenarios:
  - id: lacked-group
    title: a group the library lacks
    {}: {{groups: [{}]}}
    expect:
      - handshake: success
        cite: RFC 8446 §4.2.7
)",
                                  side, group);
    suite = load_suite_text(text, "configure-order.yaml", TestPki(kSource / "suites" / "pki"));
    const ItemControl full{true, true};
    (side == "server" ? server : client).capabilities.groups[group] = {full, full};
  }

  struct Timed {
    CellResult result;
    double seconds;
  };
  Timed run() const {
    const std::atomic<bool> cancelled{false};
    const PlannedCell cell{"unit/lacked-group", &suite, &suite.scenarios[0], &client, &server};
    const auto start = std::chrono::steady_clock::now();
    auto result = run_cell(cell, std::chrono::seconds(20), cancelled);
    return {std::move(result),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  }
};

TEST(ConfigureOrder, ServerRefusalMakesTheCellUnsupportedWithoutStartingTheClient) {
  const auto cases = peers_lacking_a_group();
  if (cases.empty()) GTEST_SKIP() << "every peer implements every post-quantum group";
  for (const auto& [peer, group] : cases) {
    SCOPED_TRACE(peer->entry.id);
    const auto t = RefusingCell(*peer, "server", group).run();
    EXPECT_EQ(t.result.verdict.status, Status::unsupported) << t.result.verdict.reason;
    EXPECT_TRUE(t.result.verdict.reason.starts_with(
        fmt::format("server {} refused groups: ", peer->entry.id)))
        << t.result.verdict.reason;
    EXPECT_EQ(t.result.client_exit, "") << "a client was started";
    EXPECT_LT(t.seconds, 3.0);
  }
}

// The peers' step timeout is a quarter of the cell's 20 s: a server left waiting for the
// client would take 5 s to report.
TEST(ConfigureOrder, ClientRefusalEndsTheWaitingServer) {
  const auto cases = peers_lacking_a_group();
  if (cases.empty()) GTEST_SKIP() << "every peer implements every post-quantum group";
  for (const auto& [peer, group] : cases) {
    SCOPED_TRACE(peer->entry.id);
    const auto t = RefusingCell(*peer, "client", group).run();
    EXPECT_EQ(t.result.verdict.status, Status::unsupported) << t.result.verdict.reason;
    EXPECT_TRUE(t.result.verdict.reason.starts_with(
        fmt::format("client {} refused groups: ", peer->entry.id)))
        << t.result.verdict.reason;
    EXPECT_NE(t.result.server_exit.find("ended by the runner"), std::string::npos)
        << t.result.server_exit;
    EXPECT_LT(t.seconds, 3.0);
  }
}

}  // namespace
}  // namespace tlsmatrix
