#include "scenario_loader.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "commands.hpp"

namespace tlsmatrix {
namespace {

const TestPki kPki{std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites" / "pki"};

Suite load(const std::string& text) {
  return load_suite_text(text, "t.yaml", kPki);
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
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

TEST(ScenarioLoader, ConnectionsAreOneSettingAndEachConnectionStatesItsOutcome) {
  // Shared with cell_executor_test.cpp.
  const std::string kResumption = read_text(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "tests" /
                                            "fixtures" / "two-connections.yaml");
  const auto suite = load(kResumption);
  const auto& sc = suite.scenarios.at(0);
  EXPECT_EQ(sc.connections(), 2);
  EXPECT_EQ(sc.client.connections, 2);
  EXPECT_EQ(sc.server.connections, 2);
  EXPECT_EQ(sc.expectations[0].connection, 1);
  EXPECT_EQ(sc.expectations[2].connection, 0);  // the last

  const auto variant = [&](const std::string& from, const std::string& to) {
    std::string text = kResumption;
    text.replace(text.find(from), from.size(), to);
    return error_of(text);
  };
  EXPECT_NE(variant("        connection: 1\n", "").find("handshake outcome of connection 1"),
            std::string::npos);
  EXPECT_NE(variant("      - handshake: success\n        connection: 1",
                    "      - handshake: refused\n        connection: 1")
                .find("connection 1 must expect 'handshake: success'"),
            std::string::npos);
  EXPECT_NE(variant("connection: 1", "connection: 3").find("names connection 3"),
            std::string::npos);
  EXPECT_NE(variant("connection: 1", "connection: 9").find("connection must be a number"),
            std::string::npos);
  EXPECT_NE(variant("connections: 2", "connections: 0").find("connections:"), std::string::npos);
  EXPECT_NE(variant("session_tickets: true}\n  server", "x").find(""), std::string::npos);
  EXPECT_NE(variant("client: {trust: ca-ecdsa,", "client: {connections: 2, trust: ca-ecdsa,")
                .find("setting of the scenario"),
            std::string::npos);
  EXPECT_NE(variant("client: {trust: ca-ecdsa,",
                    "client: {psks: [{identity: a, secret_hex: '00'}], trust: ca-ecdsa,")
                .find("does not go with psks"),
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

// Hostile input files (issue 8): each fixture under tests/fixtures/inputs/ is one finding.
const std::filesystem::path kInputs =
    std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "tests" / "fixtures" / "inputs";

std::string file_error_of(const std::filesystem::path& file) {
  try {
    load_suite_file(file, kPki);
  } catch (const ScenarioFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << file;
  return "";
}

std::string fixture_error(const std::string& name) {
  return file_error_of(kInputs / name);
}

std::string at(const std::string& name) {
  return (kInputs / name).string();
}

// A folder under /tmp, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tlsmatrix-input-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void copy_baseline_to(const std::filesystem::path& dir) {
  std::filesystem::copy_file(
      std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites" / "baseline.yaml",
      dir / "baseline.yaml");
}

// Finding 2: a Latin-1 byte used to pass check and break the JSON writers later.
TEST(HostileInput, NonUtf8ByteIsNamedByLineAndColumn) {
  EXPECT_EQ(fixture_error("latin1-cite.yaml"),
            at("latin1-cite.yaml") + ":11:24: byte 0xa7 is not UTF-8 (save the file as UTF-8)");
}

// yaml-cpp refuses a lone surrogate escape itself; the reader also checks every decoded value.
TEST(HostileInput, EscapeDecodingToNonUtf8IsRefused) {
  std::string text = kValid;
  text.replace(text.find("title: HRR"), 10, "title: \"\\ud800\"");
  EXPECT_EQ(error_of(text), "t.yaml:9:19: YAML syntax error: invalid unicode: 55296");
}

TEST(HostileInput, NonUtf8FileNameIsRejectedEscaped) {
  TempDir dir;
  copy_baseline_to(dir.path());
  std::ofstream(dir.path() / "caf\xe9.yaml") << kValid;
  try {
    load_suites(dir.path(), kPki);
    FAIL() << "expected an error";
  } catch (const ScenarioFileError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        dir.path().string() +
            "/caf\\xe9.yaml: the file name is not UTF-8 (results name it in JSON); rename it");
  }
}

// Finding 4: nested aliases stop at the node budget, quickly, naming the file.
TEST(HostileInput, BillionLaughsStopsAtTheNodeBudget) {
  const auto start = std::chrono::steady_clock::now();
  const auto error = fixture_error("billion-laughs.yaml");
  EXPECT_EQ(error, at("billion-laughs.yaml") +
                       ":9:30: more than 100000 YAML nodes (an alias counts at each use); "
                       "refusing to expand further");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(HostileInput, FileOverOneMebibyteIsRefused) {
  const std::string big = std::string(kValid) + "# " + std::string(1 << 20, 'x') + "\n";
  EXPECT_EQ(
      error_of(big),
      fmt::format("t.yaml: {} bytes, more than the 1048576 a YAML input may have", big.size()));
}

// Finding 5: numbers and keys go through checked conversions that name file, line and field.
TEST(HostileInput, IntegerOverflowNamesFieldAndRange) {
  EXPECT_EQ(fixture_error("integer-overflow.yaml"),
            at("integer-overflow.yaml") +
                ":7:48: groups: '99999999999999999999999' is not a whole number in "
                "0..18446744073709551615");
}

TEST(HostileInput, ComplexKeyIsNamedWithItsFile) {
  EXPECT_EQ(fixture_error("complex-key.yaml"),
            at("complex-key.yaml") + ":7:31: a key must be a plain name, not a list or a mapping");
}

// Finding 11: a second expect: used to be ignored silently.
TEST(HostileInput, DuplicateKeyNamesBothLines) {
  EXPECT_EQ(fixture_error("duplicate-expect.yaml"),
            at("duplicate-expect.yaml") +
                ":12:5: duplicate key 'expect' (line 9 has it already; one would silently win)");
}

// Finding 16: trust: and certificate: name files of pki/ and nothing else.
TEST(HostileInput, PkiNamesCannotLeavePki) {
  EXPECT_EQ(fixture_error("pki-escape.yaml"),
            at("pki-escape.yaml") +
                ":7:21: trust: '../../../etc/ssl/certs/ca-certificates' is not a name of "
                "suites/pki/ (a base name such as server-ecdsa-p256: no '/', no '..')");
  for (const auto* name : {"..", "/etc/passwd", "sub/server-ecdsa-p256", ""}) {
    EXPECT_THROW(kPki.certified_key(name), std::invalid_argument) << name;
    EXPECT_THROW(kPki.trust_anchors({name}), std::invalid_argument) << name;
  }
}

TEST(HostileInput, PkiSymlinkLeadingOutIsRefused) {
  TempDir dir;
  std::filesystem::create_symlink(kPki.dir() / "ca-ecdsa.crt", dir.path() / "outside.crt");
  const TestPki pki(dir.path());
  try {
    pki.trust_anchors({"outside"});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              fmt::format("{} leads outside {} (to {})", (dir.path() / "outside.crt").string(),
                          dir.path().string(),
                          std::filesystem::canonical(kPki.dir() / "ca-ecdsa.crt").string()));
  }
}

// Finding 12: what is not loaded is named, an empty folder is an error, a FIFO is never opened.
TEST(HostileInput, EmptySuiteFolderIsAnError) {
  TempDir dir;
  try {
    load_suites(dir.path(), kPki);
    FAIL() << "expected an error";
  } catch (const ScenarioFileError& e) {
    EXPECT_EQ(std::string(e.what()), dir.path().string() + ": no suite files (*.yaml)");
  }
  CommonOptions common;
  common.suites_dir = dir.path().string();
  EXPECT_THROW(check_command(common), ScenarioFileError);
}

TEST(HostileInput, SkippedEntriesAreNamedAndAFifoDoesNotBlock) {
  TempDir dir;
  const auto& d = dir.path();
  std::ofstream(d / "old.yml") << kValid;
  std::filesystem::create_symlink(d / "gone", d / "dangling.yaml");
  std::filesystem::create_directory(d / "folder.yaml");
  ASSERT_EQ(::mkfifo((d / "pipe.yaml").c_str(), 0600), 0);
  try {
    load_suites(d, kPki);
    FAIL() << "expected an error";
  } catch (const ScenarioFileError& e) {
    EXPECT_EQ(std::string(e.what()),
              fmt::format("{0}: no suite files (*.yaml); {0}/dangling.yaml: skipped, a symbolic "
                          "link to nothing; {0}/folder.yaml: skipped, a folder; {0}/old.yml: "
                          "skipped, suite files end in .yaml; {0}/pipe.yaml: skipped, not a "
                          "regular file (a FIFO, socket or device)",
                          d.string()));
  }
  copy_baseline_to(d);
  std::vector<std::string> skipped;
  const auto suites = load_suites(d, kPki, {}, &skipped);
  EXPECT_EQ(suites.size(), 1u);
  EXPECT_EQ(skipped.size(), 4u);

  std::filesystem::create_directory_symlink(kPki.dir(), d / "pki");  // check reads SUITES/pki
  CommonOptions common;
  common.suites_dir = d.string();
  testing::internal::CaptureStdout();
  EXPECT_EQ(check_command(common), 0);
  const auto out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find(d.string() + "/pipe.yaml: skipped, not a regular file"), std::string::npos)
      << out;
  EXPECT_THROW(load_suite_file(d / "pipe.yaml", kPki), ScenarioFileError);
}

}  // namespace
}  // namespace tlsmatrix
