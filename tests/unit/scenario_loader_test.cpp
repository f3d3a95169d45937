#include "scenario_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace tlsmatrix {
namespace {

const TestPki kPki{std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites" / "pki"};

Suite load(const std::string& text) {
  return load_suite_text(text, "t.yaml", kPki);
}

// The message of the ScenarioFileError that loading `text` throws.
std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const ScenarioFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

constexpr const char* kValid = R"(schema_version: 1
suite: demo
title: Demo
defaults:
  client: {trust: ca-ecdsa, min_version: TLSv1.3}
  server: {certificate: server-ecdsa-p256}
scenarios:
  - id: hrr
    title: HRR
    client: {groups: [x25519, secp256r1], key_shares: [x25519]}
    server: {groups: [secp256r1], min_version: TLSv1.2}
    expect:
      - handshake: success
        cite: RFC 8446 §4.1.1
      - alert: [handshake_failure, insufficient_security]
        from: server
        cite: RFC 8446 §4.1.1
      - hello_retry_request: true
        cite: RFC 8446 §4.1.4
    record: [group]
)";

TEST(ScenarioLoader, ReadsEndpointsDefaultsAndChecks) {
  const auto suite = load(kValid);
  ASSERT_EQ(suite.scenarios.size(), 1u);
  const auto& sc = suite.scenarios[0];
  EXPECT_EQ(sc.id, "hrr");
  EXPECT_EQ(sc.line, 8);
  EXPECT_EQ(sc.client.role, Role::client);
  EXPECT_EQ(sc.server.role, Role::server);
  EXPECT_EQ(sc.client.groups, (std::vector<std::string>{"x25519", "secp256r1"}));
  ASSERT_TRUE(sc.client.key_shares.has_value());
  EXPECT_EQ(*sc.client.key_shares, std::vector<std::string>{"x25519"});
  EXPECT_EQ(sc.client.min_version, "TLSv1.3");  // from defaults
  EXPECT_EQ(sc.server.min_version, "TLSv1.2");  // the scenario overrides nothing on the client
  EXPECT_NE(sc.client.trust_anchors_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  ASSERT_TRUE(sc.server.certificate.has_value());
  EXPECT_NE(sc.server.certificate->key_pem.find("PRIVATE KEY"), std::string::npos);
  ASSERT_EQ(sc.expectations.size(), 3u);
  EXPECT_EQ(sc.expectations[1].fact, Fact::alert);
  EXPECT_EQ(sc.expectations[1].from, "server");
  EXPECT_EQ(sc.expectations[1].any_of.size(), 2u);
  EXPECT_EQ(sc.expectations[1].on_mismatch, Severity::deviation);  // alerts default to deviation
  EXPECT_EQ(sc.expectations[2].on_mismatch, Severity::fail);
  EXPECT_EQ(sc.expectations[2].any_of, std::vector<std::string>{"true"});
  ASSERT_EQ(sc.record.size(), 1u);
  EXPECT_EQ(sc.record[0], Fact::group);
}

TEST(ScenarioLoader, NamesFileLineAndProblem) {
  std::string typo = kValid;
  typo.replace(typo.find("key_shares"), 10, "key_sharez");
  EXPECT_EQ(error_of(typo).rfind("t.yaml:10:", 0), 0u) << error_of(typo);
  EXPECT_NE(error_of(typo).find("unknown endpoint setting 'key_sharez'"), std::string::npos);

  std::string bad_group = kValid;
  bad_group.replace(bad_group.find("[secp256r1]"), 11, "[secp256k1]");
  EXPECT_NE(error_of(bad_group).find("t.yaml:11:"), std::string::npos) << error_of(bad_group);
  EXPECT_NE(error_of(bad_group).find("unknown group 'secp256k1'"), std::string::npos);

  std::string no_cite = kValid;
  const std::string cite = "        cite: RFC 8446 §4.1.4\n";
  no_cite.replace(no_cite.find(cite), cite.size(), "");
  EXPECT_NE(error_of(no_cite).find("must cite"), std::string::npos) << error_of(no_cite);

  EXPECT_NE(error_of("schema_version: 1\nsuite: x\n  title: [\n").find("t.yaml:"),
            std::string::npos);
  EXPECT_NE(error_of("schema_version: 1\nsuite: x\n  title: [\n").find("YAML syntax error"),
            std::string::npos);
}

TEST(ScenarioLoader, RequiresIsTypedAndATypoIsNamedWhereItStands) {
  std::string typed = kValid;
  typed.replace(typed.find("key_shares: [x25519]}"), 21,
                "key_shares: [x25519], requires: [group_order, key_share_selection]}");
  const auto sc = load(typed).scenarios[0];
  EXPECT_EQ(sc.client_requires,
            (std::vector<Feature>{Feature::group_order, Feature::key_share_selection}));
  EXPECT_TRUE(sc.server_requires.empty());

  std::string typo = kValid;
  typo.replace(typo.find("key_shares: [x25519]}"), 21,
               "key_shares: [x25519], requires: [group_order, key_share_selectoin]}");
  const auto error = error_of(typo);
  // Line 10, and the column of the misspelt word itself.
  EXPECT_EQ(error.rfind("t.yaml:10:89: unknown feature 'key_share_selectoin' in requires "
                        "(features: key_share_selection, key_share_first_group, group_order,",
                        0),
            0u)
      << error;
}

// How a suite may use a fact is the fact table's to say (runner/facts/fact_table.cpp).
TEST(ScenarioLoader, UsesEachFactAsTheFactTableAllows) {
  std::string expect_size = kValid;
  expect_size.replace(expect_size.find("hello_retry_request: true"), 25, "client_hello_bytes: 512");
  EXPECT_NE(error_of(expect_size).find("client_hello_bytes can be recorded"), std::string::npos)
      << error_of(expect_size);

  std::string record_alert = kValid;
  record_alert.replace(record_alert.find("record: [group]"), 15, "record: [alert]");
  EXPECT_NE(error_of(record_alert).find("alert cannot be recorded"), std::string::npos)
      << error_of(record_alert);

  std::string record_size = kValid;
  record_size.replace(record_size.find("record: [group]"), 15, "record: [client_hello_bytes]");
  EXPECT_EQ(load(record_size).scenarios[0].record, std::vector<Fact>{Fact::client_hello_bytes});

  std::string from_on_group = kValid;
  from_on_group.replace(from_on_group.find("      - hello_retry_request: true\n"), 0,
                        "      - group: x25519\n        from: client\n        cite: RFC 8446\n");
  EXPECT_NE(error_of(from_on_group).find("from: applies to alert checks"), std::string::npos)
      << error_of(from_on_group);
}

TEST(ScenarioLoader, RejectsStructuralMistakes) {
  std::string no_outcome = kValid;
  const std::string outcome_check = "      - handshake: success\n        cite: RFC 8446 §4.1.1\n";
  no_outcome.replace(no_outcome.find(outcome_check), outcome_check.size(), "");
  EXPECT_NE(error_of(no_outcome).find("must state the handshake outcome"), std::string::npos)
      << error_of(no_outcome);

  // A stall is observed, never expected.
  std::string stall = kValid;
  stall.replace(stall.find("handshake: success"), 18, "handshake: stalled");
  EXPECT_NE(error_of(stall).find("'stalled' is not a valid value for handshake"), std::string::npos)
      << error_of(stall);

  std::string alert_without_sender = kValid;
  alert_without_sender.replace(alert_without_sender.find("        from: server\n"), 21, "");
  EXPECT_NE(error_of(alert_without_sender).find("which side sends it"), std::string::npos);

  std::string runner_field = kValid;
  runner_field.replace(runner_field.find("groups: [secp256r1]"), 19, "connect_port: 443");
  EXPECT_NE(error_of(runner_field).find("set by the runner"), std::string::npos);

  std::string missing_cert = kValid;
  missing_cert.replace(missing_cert.find("server-ecdsa-p256"), 17, "server-nonexistent");
  EXPECT_NE(error_of(missing_cert).find("no such PKI file"), std::string::npos);

  std::string duplicate = kValid;
  duplicate +=
      "  - id: hrr\n    title: again\n    expect:\n      - handshake: refused\n        cite: x\n";
  EXPECT_NE(error_of(duplicate).find("duplicate scenario id 'hrr'"), std::string::npos);

  EXPECT_NE(
      error_of("schema_version: 2\nsuite: x\ntitle: t\nscenarios: []\n").find("schema_version"),
      std::string::npos);
}

TEST(ScenarioLoader, ShippedSuitesAreValid) {
  const auto suites = load_suites(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites", kPki);
  ASSERT_GE(suites.size(), 2u);
  for (const auto& suite : suites)
    for (const auto& sc : suite.scenarios)
      for (const auto& e : sc.expectations)
        EXPECT_FALSE(e.cite.empty()) << suite.id << "/" << sc.id;
}

TEST(ScenarioLoader, UnknownSuiteIsNamed) {
  try {
    load_suites(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites", kPki, {"no-such-suite"});
    FAIL() << "expected an error";
  } catch (const ScenarioFileError& e) {
    EXPECT_NE(std::string(e.what()).find("no suite 'no-such-suite'"), std::string::npos);
  }
}

}  // namespace
}  // namespace tlsmatrix
