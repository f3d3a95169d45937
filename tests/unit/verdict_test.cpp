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
  f.handshake = HandshakeResult::success;
  f.handshake_summary = "handshake completed";
  f.values[Fact::version] = "TLSv1.3";
  f.values[Fact::group] = "secp256r1";
  f.values[Fact::hello_retry_request] = "true";
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
  facts.values[Fact::hello_retry_request] = "false";
  facts.values[Fact::group] = "x25519";
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

constexpr ItemControl kFull{true, true};

// Implements TLS 1.2 and 1.3, x25519 and TLS_AES_128_GCM_SHA256 in both roles, fully
// controllable; tests take away what they are about.
Capabilities full_caps() {
  Capabilities caps;
  caps.versions = {{"TLSv1.2", {kFull, kFull}}, {"TLSv1.3", {kFull, kFull}}};
  caps.groups = {{"x25519", {kFull, kFull}}};
  caps.cipher_suites = {{"TLS_AES_128_GCM_SHA256", {kFull, kFull}}};
  return caps;
}

TEST(Requirements, NamesEveryMissingCapability) {
  EndpointConfig config;
  config.groups = {"x25519", "x448"};
  config.cipher_suites = {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"};
  auto caps = full_caps();
  EXPECT_EQ(missing_capabilities(config, caps, {Feature::group_order}),
            (std::vector<std::string>{"lacks group x448",
                                      "lacks cipher suite TLS_CHACHA20_POLY1305_SHA256",
                                      "lacks feature group_order"}));
  caps.groups["x448"] = {kFull, kFull};
  caps.cipher_suites["TLS_CHACHA20_POLY1305_SHA256"] = {kFull, kFull};
  caps.features = {Feature::group_order};
  EXPECT_TRUE(missing_capabilities(config, caps, {Feature::group_order}).empty());
  const auto v = unsupported_verdict({}, {"lacks group x448"}, "a@host", "b@host");
  EXPECT_EQ(v.status, Status::unsupported);
  EXPECT_EQ(v.reason, "server b@host lacks group x448");
}

// A client asked to send TLS_FALLBACK_SCSV needs a stack whose probe saw it on the wire.
TEST(Requirements, FallbackScsvNeedsTheFeature) {
  EndpointConfig config;
  config.fallback_scsv = true;
  auto caps = full_caps();
  EXPECT_EQ(missing_capabilities(config, caps, {}),
            (std::vector<std::string>{"lacks feature fallback_scsv"}));
  caps.features = {Feature::fallback_scsv};
  EXPECT_TRUE(missing_capabilities(config, caps, {}).empty());
  config.fallback_scsv = false;
  EXPECT_TRUE(missing_capabilities(config, full_caps(), {}).empty());
}

TEST(Requirements, ImplementedIsNotEnoughWithoutRequireOrExclude) {
  auto caps = full_caps();
  // A server that always keeps its AES-256 suite on, and cannot be made to use x25519 on
  // request (only by default).
  caps.cipher_suites["TLS_AES_256_GCM_SHA384"] = {kFull, ItemControl{true, false}};
  caps.groups["x25519"].server = ItemControl{false, true};
  EndpointConfig server;
  server.role = Role::server;
  EXPECT_TRUE(missing_capabilities(server, caps).empty());  // library defaults: nothing to do
  server.cipher_suites = {"TLS_AES_128_GCM_SHA256"};
  server.groups = {"x25519"};
  EXPECT_EQ(missing_capabilities(server, caps),
            (std::vector<std::string>{"cannot enable group x25519",
                                      "cannot exclude cipher suite TLS_AES_256_GCM_SHA384"}));
  // The client side of the same stack can be restricted.
  EndpointConfig client = server;
  client.role = Role::client;
  EXPECT_TRUE(missing_capabilities(client, caps).empty());
}

TEST(Requirements, AServersUnexcludableItemMattersOnlyWhenTheClientMayOfferIt) {
  auto server_caps = full_caps();
  server_caps.versions["TLSv1.1"] = {kFull, ItemControl{true, false}};
  server_caps.cipher_suites["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] = {kFull,
                                                                          ItemControl{true, false}};
  EndpointConfig server;
  server.role = Role::server;
  server.cipher_suites = {"TLS_AES_128_GCM_SHA256"};
  auto client_caps = full_caps();
  EndpointConfig client;  // TLS 1.2 and 1.3, library defaults
  // A suite the client does not implement can never come up.
  EXPECT_TRUE(missing_capabilities(server, server_caps, {}, nullptr).size() == 2);
  const Counterpart lacking{client, client_caps};
  EXPECT_TRUE(missing_capabilities(server, server_caps, {}, &lacking).empty());
  client_caps.cipher_suites["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] = {kFull, kFull};
  const Counterpart counterpart{client, client_caps};
  // TLS 1.1 is outside the client's range; the TLS 1.2 suite can come up.
  EXPECT_EQ(missing_capabilities(server, server_caps, {}, &counterpart),
            std::vector<std::string>{
                "cannot exclude cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
  // A TLS 1.3-only server never chooses a TLS 1.2 suite.
  server.min_version = "TLSv1.3";
  EXPECT_TRUE(missing_capabilities(server, server_caps, {}, &counterpart).empty());
  // A client that offers TLS 1.1 makes the server's TLS 1.1 matter; without a client known,
  // everything counts.
  client.min_version = "TLSv1.1";
  EXPECT_EQ(missing_capabilities(server, server_caps, {}, &counterpart),
            std::vector<std::string>{"cannot exclude version TLSv1.1"});
  EXPECT_EQ(missing_capabilities(server, server_caps),
            std::vector<std::string>{"cannot exclude version TLSv1.1"});
}

TEST(Requirements, VersionsOutsideTheRangeMustBeExcludable) {
  auto caps = full_caps();
  caps.versions["TLSv1.2"].client = ItemControl{true, false};
  EndpointConfig config;
  EXPECT_TRUE(missing_capabilities(config, caps).empty());
  config.min_version = "TLSv1.3";
  EXPECT_EQ(missing_capabilities(config, caps),
            std::vector<std::string>{"cannot exclude version TLSv1.2"});
  config.min_version = config.max_version = "TLSv1.2";
  caps.versions.erase("TLSv1.2");
  caps.versions["TLSv1.3"].client = ItemControl{true, false};
  EXPECT_EQ(missing_capabilities(config, caps),
            (std::vector<std::string>{"lacks version TLSv1.2", "cannot exclude version TLSv1.3"}));
}

TEST(Requirements, KeySharesAreLeftToThePeerToRefuse) {
  EndpointConfig config;
  config.groups = {"x25519"};
  config.key_shares = std::vector<std::string>{"x25519"};
  // No key share feature at all: the peer refuses at run time if it cannot.
  EXPECT_TRUE(missing_capabilities(config, full_caps()).empty());
  config.key_shares = std::vector<std::string>{"x448"};
  EXPECT_EQ(missing_capabilities(config, full_caps()),
            std::vector<std::string>{"lacks group x448"});
}

TEST(Requirements, PskModeSetsHashesAndCertificates) {
  auto caps = full_caps();
  caps.features = {Feature::external_psk};
  caps.psk.client_mode_sets = {{"psk_dhe_ke"}, {"psk_dhe_ke", "psk_ke"}};
  caps.psk.server_mode_sets = {{"psk_dhe_ke", "psk_ke"}};
  caps.psk.hashes = {"SHA256"};
  EndpointConfig client;
  client.psks = {ExternalPsk{"id", "00", "SHA256"}};
  client.psk_modes = std::vector<std::string>{"psk_ke", "psk_dhe_ke"};
  EXPECT_TRUE(missing_capabilities(client, caps).empty());  // a set, whatever the order
  client.psk_modes.reset();  // the library's default asks for nothing
  EXPECT_TRUE(missing_capabilities(client, caps).empty());
  client.psk_modes = std::vector<std::string>{"psk_ke"};
  client.psks.front().hash = "SHA384";
  EXPECT_EQ(
      missing_capabilities(client, caps),
      (std::vector<std::string>{"cannot offer exactly PSK modes psk_ke", "lacks PSK hash SHA384"}));

  EndpointConfig server;
  server.role = Role::server;
  server.psks = {ExternalPsk{"id", "00", "SHA256"}};
  server.psk_modes = std::vector<std::string>{"psk_dhe_ke"};
  // A certificate next to a PSK is ordinary (the server uses one or the other); only the
  // RFC 9973 extension needs its feature.
  server.certificate = CertifiedKey{"chain", "key"};
  EXPECT_EQ(missing_capabilities(server, caps),
            (std::vector<std::string>{"cannot accept exactly PSK modes psk_dhe_ke"}));
  server.cert_with_extern_psk = true;
  EXPECT_EQ(missing_capabilities(server, caps),
            (std::vector<std::string>{"cannot accept exactly PSK modes psk_dhe_ke",
                                      "lacks feature cert_with_extern_psk"}));
  server.cert_with_extern_psk = false;
  // TLS 1.2 PSK: a cipher suite; TLS 1.3 modes and RFC 9973 do not apply.
  server.min_version = server.max_version = "TLSv1.2";
  caps.versions.erase("TLSv1.3");
  EXPECT_TRUE(missing_capabilities(server, caps).empty());
}

TEST(Verdict, StalledIsObservedAndNeverPasses) {
  auto scenario = refusal_scenario();
  CellFacts facts;
  facts.handshake = HandshakeResult::stalled;
  facts.handshake_summary = "handshake stalled: client x timed out in handshake";
  scenario.expectations[0].on_mismatch = Severity::deviation;
  const auto v = judge(scenario, facts);
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_EQ(v.checks[0].observed, "stalled");
  EXPECT_EQ(v.checks[0].result, "fail");
  EXPECT_EQ(judge(hrr_scenario(), facts).status, Status::fail);
}

// A resumption scenario: connection 1 a full handshake, connection 2 resumed without a
// certificate (suites/resumption.yaml).
Scenario resumption_scenario() {
  Scenario s;
  s.id = "tickets";
  s.client.connections = s.server.connections = 2;
  auto first = check(Fact::handshake, {"success"});
  first.connection = 1;
  s.expectations = {first, check(Fact::handshake, {"success"}), check(Fact::resumed, {"true"}),
                    check(Fact::server_certificate, {"false"})};
  s.record = {Fact::resumed};
  return s;
}

CellFacts completed(bool resumed) {
  CellFacts f;
  f.handshake = HandshakeResult::success;
  f.handshake_summary = resumed ? "resumed" : "full";
  f.values[Fact::resumed] = resumed ? "true" : "false";
  f.values[Fact::server_certificate] = resumed ? "false" : "true";
  return f;
}

TEST(Verdict, ChecksAreJudgedOnTheirOwnConnection) {
  const auto scenario = resumption_scenario();
  const auto v = judge(scenario, std::vector<CellFacts>{completed(false), completed(true)});
  EXPECT_EQ(v.status, Status::pass) << v.reason;
  ASSERT_EQ(v.checks.size(), 4u);
  EXPECT_EQ(v.checks[0].connection, 1);
  EXPECT_EQ(v.checks[1].connection, 2);
  EXPECT_EQ(v.reason, "connection 1: full; connection 2: resumed");
  EXPECT_EQ(v.observations["resumed"], true);  // records are the last connection's

  // The same facts the other way round: connection 2 did not resume.
  const auto full_again =
      judge(scenario, std::vector<CellFacts>{completed(true), completed(false)});
  EXPECT_EQ(full_again.status, Status::fail);
  EXPECT_NE(full_again.reason.find("connection 2: expected resumed true"), std::string::npos)
      << full_again.reason;
}

TEST(Verdict, AConnectionThatNeverHappenedIsNotEvaluated) {
  const auto scenario = resumption_scenario();
  auto refused = completed(false);
  refused.handshake = HandshakeResult::refused;
  refused.handshake_summary = "client x stopped in handshake";
  const auto v = judge(scenario, std::vector<CellFacts>{refused});
  EXPECT_EQ(v.status, Status::fail);
  EXPECT_NE(v.reason.find("connection 1: expected handshake success"), std::string::npos)
      << v.reason;
  for (std::size_t i = 1; i < v.checks.size(); ++i) {
    EXPECT_EQ(v.checks[i].result, "not_evaluated");
    EXPECT_EQ(v.checks[i].observed, "not reached");
  }
  EXPECT_FALSE(v.security.has_value());
}

TEST(Verdict, ContradictionsNameTheirConnection) {
  auto second = completed(true);
  second.inconsistencies.push_back("client peer a reports resumed true but server peer b false");
  const auto v = judge(resumption_scenario(), std::vector<CellFacts>{completed(false), second});
  EXPECT_EQ(v.status, Status::error);
  EXPECT_NE(v.reason.find("connection 2: client peer a reports resumed"), std::string::npos)
      << v.reason;
}

}  // namespace
}  // namespace tlsmatrix
