#include "verdict.hpp"

#include <gtest/gtest.h>

#include "requirements.hpp"

namespace tlsmatrix {
namespace {

Expectation check(Fact fact, std::vector<std::string> any_of, Severity sev = Severity::fail,
                  std::string from = "") {
  Expectation e;
  e.fact = fact;
  e.any_of = std::move(any_of);
  e.cite = "RFC 8446 §4.1.1";
  e.on_mismatch = sev;
  e.from = std::move(from);
  return e;
}

Scenario hrr_scenario() {
  Scenario s;
  s.id = "hrr";
  s.expectations = {check(Fact::handshake, {"success"}), check(Fact::hello_retry_request, {"true"}),
                    check(Fact::group, {"secp256r1"})};
  s.record = {Fact::group};
  return s;
}

Scenario refusal_scenario() {
  Scenario s;
  s.id = "no-common-group";
  s.expectations = {check(Fact::handshake, {"refused"}),
                    check(Fact::alert, {"handshake_failure", "insufficient_security"},
                          Severity::deviation, "server")};
  return s;
}

CellFacts successful_hrr() {
  CellFacts f;
  f.handshake_success = true;
  f.handshake_summary = "handshake completed";
  f.version = "TLSv1.3";
  f.group = "secp256r1";
  f.hello_retry_request = true;
  return f;
}

TEST(Verdict, PassWhenEveryCheckHolds) {
  const auto scenario = hrr_scenario();
  const auto v = judge(scenario, successful_hrr());
  EXPECT_EQ(v.status, Status::pass) << v.reason;
  ASSERT_EQ(v.checks.size(), 3u);
  for (const auto& c : v.checks) EXPECT_EQ(c.result, "pass");
  EXPECT_EQ(v.observations["group"], "secp256r1");
}

TEST(Verdict, FailWhenTheServerSkipsTheHelloRetryRequest) {
  const auto scenario = hrr_scenario();
  auto facts = successful_hrr();
  facts.hello_retry_request = false;
  facts.group = "x25519";
  const auto v = judge(scenario, facts);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_NE(v.reason.find("expected hello_retry_request true (RFC 8446 §4.1.1), observed false"),
            std::string::npos)
      << v.reason;
  EXPECT_NE(v.reason.find("observed x25519"), std::string::npos) << v.reason;
}

TEST(Verdict, FailWhenARefusalWasExpectedButTheHandshakeSucceeded) {
  const auto scenario = refusal_scenario();
  const auto v = judge(scenario, successful_hrr());
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.checks[1].result, "not_evaluated");  // no alert to judge on a completed handshake
}

TEST(Verdict, DeviationWhenRefusedWithAnotherAlert) {
  const auto scenario = refusal_scenario();
  CellFacts facts;
  facts.handshake_summary = "server stopped in handshake";
  facts.alerts_from_server = {"illegal_parameter"};
  const auto v = judge(scenario, facts);
  EXPECT_EQ(v.status, Status::deviation);
  EXPECT_NE(v.reason.find("observed illegal_parameter"), std::string::npos) << v.reason;
  facts.alerts_from_server = {"insufficient_security"};
  EXPECT_EQ(judge(scenario, facts).status, Status::pass);
  facts.alerts_from_server.clear();
  facts.alerts_from_client = {"handshake_failure"};  // the wrong side sent it
  EXPECT_EQ(judge(scenario, facts).status, Status::deviation);
}

TEST(Verdict, DetailsOfAFailedHandshakeAreNotJudged) {
  const auto scenario = hrr_scenario();
  CellFacts facts;
  facts.handshake_summary = "client x stopped in handshake, received handshake_failure";
  const auto v = judge(scenario, facts);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.checks[0].result, "fail");
  EXPECT_EQ(v.checks[1].result, "not_evaluated");
  EXPECT_NE(v.reason.find("received handshake_failure"), std::string::npos) << v.reason;
}

TEST(Verdict, ContradictoryReportsAreAnError) {
  const auto scenario = hrr_scenario();
  auto facts = successful_hrr();
  facts.inconsistencies = {"client peer a reports group x25519 but the wire shows secp256r1"};
  const auto v = judge(scenario, facts);
  EXPECT_EQ(v.status, Status::error);
  EXPECT_NE(v.reason.find("wire shows secp256r1"), std::string::npos);
}

TEST(Requirements, NamesEveryMissingCapability) {
  EndpointConfig config;
  config.groups = {"x25519", "x448"};
  config.key_shares = std::vector<std::string>{"x25519"};
  config.cipher_suites = {"TLS_CHACHA20_POLY1305_SHA256"};
  Capabilities caps;
  const ItemControl full{true, true};
  caps.versions = {{"TLSv1.2", {full, full}}, {"TLSv1.3", {full, full}}};
  caps.groups = {{"x25519", {full, full}}};
  caps.cipher_suites = {{"TLS_AES_128_GCM_SHA256", {full, full}}};
  const auto missing = missing_capabilities(config, caps);
  EXPECT_EQ(missing, (std::vector<std::string>{"group x448", "feature key_share_selection",
                                               "cipher suite TLS_CHACHA20_POLY1305_SHA256"}));
  caps.groups["x448"] = {full, full};
  caps.features = {Feature::key_share_selection};
  caps.cipher_suites["TLS_CHACHA20_POLY1305_SHA256"] = {full, full};
  EXPECT_TRUE(missing_capabilities(config, caps).empty());
  const auto v = unsupported_verdict({}, {"group x448"}, "a@host", "b@host");
  EXPECT_EQ(v.status, Status::unsupported);
  EXPECT_EQ(v.reason, "server b@host lacks group x448");
}

}  // namespace
}  // namespace tlsmatrix
