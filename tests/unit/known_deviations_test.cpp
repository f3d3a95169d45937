// Known-deviation files: loading with FILE:LINE errors, matching cells by glob, role and
// library version, disagreeing entries, and the exit status an unexpected cell causes.
#include "known_deviations.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "exit_status.hpp"
#include "tally.hpp"

namespace tlsmatrix {
namespace {

Peer peer(const std::string& id, const std::string& stack, const std::string& version) {
  Peer p;
  p.entry.id = id;
  p.entry.stack = stack;
  p.capabilities.stack = stack;
  p.capabilities.version = version;
  return p;
}

const Peer kWolf = peer("wolfssl@host", "wolfssl", "5.5.4");
const Peer kWolfNew = peer("wolfssl-5.9.2@sid", "wolfssl", "5.9.2");
const Peer kOpenssl = peer("openssl@host", "openssl", "3.0.19");

constexpr const char* kWolfFile = R"(schema_version: 1
stack: wolfssl
deviations:
  - cells: groups-classical/no-common-group/*
    role: server
    status: fail
    reason: HRR names a group the client never offered
    reference: not reported upstream
  - cells: [groups-hybrid/*]
    version: "< 5.9"
    status: unsupported
    reason_contains: lacks group
    reason: wolfSSL before 5.9 lacks the ML-KEM hybrids
    reference: not reported upstream
)";

KnownDeviations wolf_file() {
  KnownDeviations d;
  d.add_text(kWolfFile, "wolf.yaml");
  return d;
}

std::string error_of(const std::string& text) {
  try {
    KnownDeviations d;
    d.add_text(text, "bad.yaml");
  } catch (const ExpectationsError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

TEST(KnownDeviations, MatchesByGlobAndRole) {
  const auto d = wolf_file();
  const auto as_server = d.expected_for(
      "groups-classical/no-common-group/openssl@host->wolfssl@host", kOpenssl, kWolf);
  EXPECT_EQ(as_server.status, Status::fail);
  EXPECT_EQ(as_server.source, "wolf.yaml:4");
  EXPECT_EQ(as_server.reference, "not reported upstream");
  // The wolfSSL peer is the client here, and the entry is about wolfSSL servers.
  const auto as_client = d.expected_for(
      "groups-classical/no-common-group/wolfssl@host->openssl@host", kWolf, kOpenssl);
  EXPECT_EQ(as_client.status, Status::pass);
  EXPECT_TRUE(as_client.source.empty());
}

TEST(KnownDeviations, MatchesByLibraryVersion) {
  const auto d = wolf_file();
  EXPECT_EQ(
      d.expected_for("groups-hybrid/mlkem768-only/wolfssl@host->openssl@host", kWolf, kOpenssl)
          .status,
      Status::unsupported);
  EXPECT_EQ(d.expected_for("groups-hybrid/mlkem768-only/wolfssl-5.9.2@sid->wolfssl-5.9.2@sid",
                           kWolfNew, kWolfNew)
                .status,
            Status::pass);
}

TEST(KnownDeviations, ReasonMustContainTheRequiredText) {
  const auto expected = wolf_file().expected_for(
      "groups-hybrid/mlkem768-only/wolfssl@host->openssl@host", kWolf, kOpenssl);
  Verdict verdict;
  verdict.status = Status::unsupported;
  verdict.reason = "client wolfssl@host lacks group MLKEM768";
  EXPECT_TRUE(meets(expected, verdict));
  verdict.reason = "client wolfssl@host lacks feature key_share_selection";
  EXPECT_FALSE(meets(expected, verdict));
}

TEST(KnownDeviations, DisagreeingEntriesAreAnErrorNamingBoth) {
  auto d = wolf_file();
  d.add_text(R"(schema_version: 1
stack: openssl
deviations:
  - cells: groups-classical/*
    status: deviation
    reason: r
    reference: not reported upstream
)",
             "openssl.yaml");
  try {
    d.expected_for("groups-classical/no-common-group/openssl@host->wolfssl@host", kOpenssl, kWolf);
    FAIL() << "no error";
  } catch (const ExpectationsError& e) {
    EXPECT_NE(std::string(e.what()).find("wolf.yaml:4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("openssl.yaml:4"), std::string::npos) << e.what();
  }
}

TEST(KnownDeviations, ErrorsNameFileLineAndColumn) {
  const std::string head = "schema_version: 1\nstack: s\ndeviations:\n";
  EXPECT_EQ(error_of(head + "  - cells: x\n    status: fail\n    reason: r\n    reference: n\n"
                            "    severity: high\n"),
            "bad.yaml:8:5: unknown key 'severity'");
  EXPECT_EQ(error_of(head + "  - cells: x\n    status: error\n    reason: r\n    reference: n\n"),
            "bad.yaml:5:13: status error cannot be expected: it means the result cannot be "
            "trusted");
  EXPECT_EQ(error_of(head + "  - cells: x\n    status: fail\n    reason: r\n"),
            "bad.yaml:4:5: missing 'reference'");
  EXPECT_EQ(error_of(head + "  - cells: x\n    version: '=> 3'\n    status: fail\n    reason: r\n"
                            "    reference: n\n"),
            "bad.yaml:5:14: version: '=> 3': each comparison is <, <=, >, >= or == and a version");
  EXPECT_NE(error_of("schema_version: 2\nstack: s\ndeviations: []\n").find("bad.yaml:1:17:"),
            std::string::npos);
}

TEST(VersionConstraint, ComparesDottedNumbersOrGlobs) {
  const VersionConstraint old_openssl("< 3.5");
  EXPECT_TRUE(old_openssl.matches("3.0.19"));
  EXPECT_FALSE(old_openssl.matches("3.5.0"));
  EXPECT_FALSE(old_openssl.matches("3.6.5"));
  const VersionConstraint range(">= 5.7, < 5.9");
  EXPECT_TRUE(range.matches("5.7.2"));
  EXPECT_FALSE(range.matches("5.5.4"));
  EXPECT_FALSE(range.matches("5.9.2-custom"));
  EXPECT_TRUE(VersionConstraint("5.5.*").matches("5.5.4"));
  EXPECT_FALSE(VersionConstraint("5.5.*").matches("5.9.2"));
}

TEST(KnownDeviations, ShippedFilesLoad) {
  // One file per stack folder (every adapters/<stack>/ but the interface), whichever stacks exist.
  const auto files = stack_deviation_files(TLSMATRIX_SOURCE_DIR);
  std::size_t stacks = 0;
  for (const auto& dir : std::filesystem::directory_iterator(
           std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "adapters"))
    stacks += dir.is_directory() && dir.path().filename() != "interface";
  ASSERT_EQ(files.size(), stacks);
  KnownDeviations d;
  for (const auto& f : files) d.add_file(f);
  EXPECT_FALSE(d.entries().empty());
}

// A run whose expectations a cell contradicts must exit non-zero by default.
TEST(ExitStatus, UnexpectedCellFailsTheRun) {
  KnownDeviations d;
  d.add_text(R"(schema_version: 1
stack: openssl
deviations:
  - cells: baseline/*
    status: fail
    reason: deliberately wrong, for this test
    reference: not reported upstream
)",
             "broken.yaml");
  CellResult cell;
  cell.verdict.status = Status::pass;
  cell.expected =
      d.expected_for("baseline/tls13-ecdsa-p256/openssl@host->openssl@host", kOpenssl, kOpenssl);
  Tally tally;
  tally.add(cell);
  EXPECT_EQ(tally.unexpected, 1u);
  EXPECT_EQ(exit_status(tally, "unexpected"), 1);
  EXPECT_EQ(exit_status(tally, "error"), 0);
  EXPECT_EQ(exit_status(tally, "never"), 0);

  Tally as_expected_tally;
  cell.expected = {};
  as_expected_tally.add(cell);
  EXPECT_EQ(exit_status(as_expected_tally, "unexpected"), 0);
}

// Hostile input files (issue 8): the same checked YAML reader as suite files.
const std::filesystem::path kInputs =
    std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "tests" / "fixtures" / "inputs";

std::string file_error_of(const std::string& name) {
  try {
    KnownDeviations d;
    d.add_file(kInputs / name);
  } catch (const ExpectationsError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << name;
  return "";
}

TEST(KnownDeviations, NonUtf8ByteIsNamedByLineAndColumn) {
  EXPECT_EQ(file_error_of("known-deviations-latin1.yaml"),
            (kInputs / "known-deviations-latin1.yaml").string() +
                ":6:18: byte 0xdf is not UTF-8 (save the file as UTF-8)");
}

TEST(KnownDeviations, DuplicateKeyNamesBothLines) {
  EXPECT_EQ(file_error_of("known-deviations-duplicate.yaml"),
            (kInputs / "known-deviations-duplicate.yaml").string() +
                ":6:5: duplicate key 'status' (line 5 has it already; one would silently win)");
}

TEST(KnownDeviations, ComplexKeyAndNonRegularFileAreNamed) {
  EXPECT_EQ(error_of("schema_version: 1\nstack: x\n? [a]\n: b\ndeviations: []\n"),
            "bad.yaml:3:3: a key must be a plain name, not a list or a mapping");
  KnownDeviations d;
  try {
    d.add_file("/dev/zero");
    FAIL() << "expected an error";
  } catch (const ExpectationsError& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/zero: not a regular file; a known-deviations file is");
  }
}

}  // namespace
}  // namespace tlsmatrix
