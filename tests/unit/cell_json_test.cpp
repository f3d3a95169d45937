// Reading a cell back (cell_from_json, for `tlsmatrix merge`): the inverse of its to_json over
// the shipped suites, each check tied to the scenario expectation it reports; and the lines it
// refuses, saying why.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>

#include "cell_result.hpp"
#include "results_writer.hpp"
#include "scenario_loader.hpp"

namespace tlsmatrix {
namespace {

using nlohmann::json;

const std::filesystem::path kSuites = std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites";

class CellJson : public ::testing::Test {
 protected:
  CellJson() : suites_(load_suites(kSuites, TestPki(kSuites / "pki"))) {
    peers_.resize(2);
    peers_[0].entry.id = "openssl-3.0.19@host";
    peers_[1].entry.id = "gnutls-3.7.9@host";
  }

  // The first scenario of any suite that `want` picks.
  std::pair<const Suite*, const Scenario*> find(
      const std::function<bool(const Scenario&)>& want) const {
    for (const auto& suite : suites_)
      for (const auto& scenario : suite.scenarios)
        if (want(scenario)) return {&suite, &scenario};
    ADD_FAILURE() << "no scenario of the shipped suites fits";
    return {nullptr, nullptr};
  }

  // A judged cell of `scenario` with a check per expectation and every field set.
  CellResult judged(const Suite& suite, const Scenario& scenario) const {
    CellResult c;
    c.suite = &suite;
    c.scenario = &scenario;
    c.client = &peers_[0];
    c.server = &peers_[1];
    c.id = cell_id(suite.id, scenario.id, c.client->entry.id, c.server->entry.id);
    c.verdict.status = Status::deviation;
    c.verdict.reason = "expected alert decrypt_error, observed illegal_parameter";
    for (const auto& e : scenario.expectations)
      c.verdict.checks.push_back(
          {&e, e.connection == 0 ? std::max(1, scenario.connections()) : e.connection,
           e.any_of.front(), "pass"});
    c.verdict.checks.back().result = "deviation";
    c.verdict.observations = {{"group", "x25519"}, {"client_hello_bytes", 517}};
    c.verdict.security = SecurityNote{"psk_dhe_ke with x25519", "RFC 8446 §2.2", 9};
    c.expected.status = Status::deviation;
    c.expected.source = "adapters/gnutls/known-deviations.yaml:12";
    c.expected.reason = "answers a bad binder with illegal_parameter";
    c.expected.reference = "not reported upstream";
    c.expected.reason_contains = {"illegal_parameter"};
    c.client_outcome = {{"stage", "done"}, {"handshake_ms", 3.25}};
    c.server_outcome = {{"stage", "done"}};
    c.wire = {{"client_hello", {{"bytes", 517}}}, {"truncated", json::array()}};
    c.fact_sources = {{"group", "wire"}};
    if (scenario.connections() > 1)
      c.later_connections = json::array({{{"connection", 2},
                                          {"client_outcome", nullptr},
                                          {"server_outcome", nullptr},
                                          {"wire", nullptr},
                                          {"fact_sources", {{"resumed", "client peer"}}}}});
    if (!scenario.relay.empty())
      c.attack = json::array({{{"mutation", "remove_group"}, {"applied", 1}, {"absent", nullptr}}});
    c.client_exit = "exit status 0";
    c.server_exit = "served request 812 (request 40 of its process)";
    c.wall_ms = 48.123456789;
    c.client_handshake_ms = 3.2;
    c.server_handshake_ms = 2.9000000000000004;
    return c;
  }

  json logs(const CellResult& c) const {
    std::string stem;
    for (char ch : c.id)
      stem += std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '@'
                  ? ch
                  : '_';
    return {{"client", fmt::format("logs/{}.client.log", stem)},
            {"capture", fmt::format("logs/{}.pcap", stem)}};
  }

  // to_json, cell_from_json, to_json again: the same text, and the same expectations.
  void round_trip(const CellResult& c) const {
    const auto written = to_json(c, logs(c));
    const auto read = cell_from_json(json::parse(written.dump()), suites_, peers_);
    EXPECT_EQ(to_json(read, logs(c)).dump(), written.dump());
    EXPECT_EQ(read.suite, c.suite);
    EXPECT_EQ(read.scenario, c.scenario);
    EXPECT_EQ(read.client, c.client);
    EXPECT_EQ(read.server, c.server);
    ASSERT_EQ(read.verdict.checks.size(), c.verdict.checks.size());
    for (std::size_t i = 0; i < c.verdict.checks.size(); ++i) {
      EXPECT_EQ(read.verdict.checks[i].expectation, c.verdict.checks[i].expectation) << i;
      EXPECT_EQ(read.verdict.checks[i].connection, c.verdict.checks[i].connection) << i;
    }
    EXPECT_EQ(as_expected(read), as_expected(c));
    EXPECT_EQ(read.wall_ms, c.wall_ms);
  }

  // What cell_from_json says of `c`'s JSON once `change` made it wrong.
  std::string refusal(const CellResult& c, const std::function<void(json&)>& change) const {
    auto j = to_json(c, logs(c));
    change(j);
    try {
      cell_from_json(j, suites_, peers_);
    } catch (const CellJsonError& e) {
      return e.what();
    }
    return "(accepted)";
  }

  std::vector<Suite> suites_;
  std::vector<Peer> peers_;
};

TEST_F(CellJson, RoundTripOfAJudgedCell) {
  const auto [suite, scenario] = find([](const Scenario& s) { return s.expectations.size() > 1; });
  ASSERT_TRUE(scenario);
  round_trip(judged(*suite, *scenario));
}

TEST_F(CellJson, RoundTripOfACheckOnAnAlertSender) {
  const auto [suite, scenario] = find([](const Scenario& s) {
    return std::any_of(s.expectations.begin(), s.expectations.end(),
                       [](const Expectation& e) { return !e.from.empty(); });
  });
  ASSERT_TRUE(scenario);
  const auto c = judged(*suite, *scenario);
  round_trip(c);
  EXPECT_TRUE(to_json(c, logs(c))["checks"].dump().find("\"from\"") != std::string::npos);
}

TEST_F(CellJson, RoundTripOfACellOfTwoConnections) {
  const auto [suite, scenario] = find([](const Scenario& s) { return s.connections() > 1; });
  ASSERT_TRUE(scenario);
  const auto c = judged(*suite, *scenario);
  round_trip(c);
  EXPECT_EQ(to_json(c, logs(c))["checks"][0].count("connection"), 1u);
}

TEST_F(CellJson, RoundTripOfAnAttackedCell) {
  const auto [suite, scenario] = find([](const Scenario& s) { return !s.relay.empty(); });
  ASSERT_TRUE(scenario);
  round_trip(judged(*suite, *scenario));
}

TEST_F(CellJson, RoundTripOfAnUnsupportedAndAnUnexpectedErrorCell) {
  const auto [suite, scenario] = find([](const Scenario&) { return true; });
  auto unsupported = judged(*suite, *scenario);
  unsupported.verdict = unsupported_verdict({"lacks group x448"}, {}, "a", "b");
  unsupported.client_missing = {"lacks group x448"};
  unsupported.expected = ExpectedResult{};  // expected pass: unexpected
  unsupported.client_outcome = unsupported.server_outcome = unsupported.wire = nullptr;
  round_trip(unsupported);
  auto error = judged(*suite, *scenario);
  error.verdict = error_verdict("server peer crashed");
  error.expected = ExpectedResult{};
  round_trip(error);
  EXPECT_EQ(to_json(error, logs(error))["match"], "unexpected");
}

TEST_F(CellJson, RefusesWhatDoesNotFitTheSuitesPeersOrItself) {
  const auto [suite, scenario] = find([](const Scenario& s) { return s.expectations.size() > 1; });
  ASSERT_TRUE(scenario);
  const auto c = judged(*suite, *scenario);
  EXPECT_NE(refusal(c, [](json& j) { j["scenario"] = "no-such-scenario"; })
                .find("has no scenario no-such-scenario"),
            std::string::npos);
  EXPECT_NE(refusal(c, [](json& j) { j["suite"] = "no-such-suite"; }).find("no-such-suite"),
            std::string::npos);
  EXPECT_NE(refusal(c, [](json& j) { j["server"] = "wolfssl@host"; })
                .find("server wolfssl@host is not a peer of the run"),
            std::string::npos);
  EXPECT_NE(refusal(c, [](json& j) { j["id"] = "baseline/x/a->b"; }).find("is not that of"),
            std::string::npos);
  EXPECT_NE(refusal(c, [](json& j) { j["checks"][0]["cite"] = "RFC 0000"; })
                .find("is no expectation of scenario"),
            std::string::npos);
  EXPECT_NE(refusal(c, [](json& j) { j["checks"][1] = j["checks"][0]; })
                .find("is no expectation of scenario"),
            std::string::npos);  // one expectation, reported twice
  EXPECT_NE(refusal(c, [](json& j) { j["match"] = "unexpected"; }).find("match is unexpected"),
            std::string::npos);
  EXPECT_NE(refusal(c, [](json& j) { j["status"] = "maybe"; }).find("'maybe' is no status"),
            std::string::npos);
  EXPECT_NE(refusal(c, [](json& j) { j["timings"].erase("wall_ms"); }).find("'wall_ms' is missing"),
            std::string::npos);
  EXPECT_NE(refusal(c, [](json& j) { j["checks"][0]["connection"] = 1; }).find("'connection'"),
            std::string::npos);
}

TEST(RecordedLogFiles, OnlyFilesOfTheCellInItsLogsFolder) {
  const json base = {{"id", "psk/psk-ke/a@host->b@host"}};
  const auto with = [&](json logs) {
    auto j = base;
    j["harness"] = {{"logs", std::move(logs)}};
    return j;
  };
  EXPECT_EQ(recorded_log_files(with({{"client", "logs/psk_psk-ke_a@host-_b@host.client.log"},
                                     {"capture", "logs/psk_psk-ke_a@host-_b@host.pcap"}})),
            (std::vector<std::string>{"logs/psk_psk-ke_a@host-_b@host.pcap",
                                      "logs/psk_psk-ke_a@host-_b@host.client.log"}));
  EXPECT_TRUE(recorded_log_files(with(json::object())).empty());
  for (const auto* bad :
       {"../../etc/passwd", "logs/other-cell.client.log", "logs/psk_psk-ke_a@host-_b@host./../../x",
        "/tmp/x", "logs/psk_psk-ke_a@host-_b@host."})
    EXPECT_THROW(recorded_log_files(with({{"client", bad}})), CellJsonError) << bad;
  EXPECT_THROW(recorded_log_files(base), CellJsonError);
}

}  // namespace
}  // namespace tlsmatrix
