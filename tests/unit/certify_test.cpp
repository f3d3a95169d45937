// tlsmatrix certify's profile rule on synthetic cells (met / not met / not applicable), the
// profile table, and how the vendor's command is split and its program found.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "certification.hpp"
#include "certify_command.hpp"
#include "certify_profiles.hpp"
#include "command_words.hpp"

namespace tlsmatrix {
namespace {

const CertificationProfile& profile(const std::string& id) {
  for (const auto& p : certification_profiles())
    if (p.id == id) return p;
  throw std::runtime_error("no profile " + id);
}

ProfileCell cell(const std::string& suite, const std::string& scenario, Status status,
                 bool as_expected) {
  return {suite + "/" + scenario + "/acme@vendor->openssl@host", suite, scenario, status,
          as_expected};
}

TEST(CertifyProfiles, MetWhenEveryExecutedCellMatchesItsExpectation) {
  const std::vector<ProfileCell> cells = {
      cell("groups-hybrid", "x25519mlkem768-only", Status::pass, true),
      // A reference stack's known deviation: expected, so it does not count against.
      cell("groups-hybrid", "mlkem768-only", Status::fail, true),
      cell("groups-hybrid", "mlkem512-only", Status::unsupported, false),
      // Another profile's cell that failed: not this profile's business.
      cell("psk", "ke", Status::fail, false)};
  const auto j = judge_profile(profile("hybrid-pq-kex"), cells);
  EXPECT_EQ(j.verdict, ProfileVerdict::met) << j.reason;
  EXPECT_EQ(j.counted, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(j.executed, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(j.unsupported, (std::vector<std::size_t>{2}));
  EXPECT_TRUE(j.failing.empty());
}

TEST(CertifyProfiles, NotMetNamesTheCellsThatMissedTheirExpectation) {
  const std::vector<ProfileCell> cells = {
      cell("downgrade", "sentinel-tls12", Status::pass, true),
      cell("downgrade", "binder-flipped", Status::deviation, false),
      cell("downgrade", "hybrid-group-stripped", Status::unsupported, false),
      cell("downgrade", "mlkem-key-modulus", Status::error, false)};
  const auto j = judge_profile(profile("downgrade-protection"), cells);
  EXPECT_EQ(j.verdict, ProfileVerdict::not_met);
  EXPECT_EQ(j.failing, (std::vector<std::size_t>{1, 3}));
  EXPECT_NE(j.reason.find("2 of 3 executed cells"), std::string::npos) << j.reason;
  EXPECT_NE(j.reason.find(cells[1].id), std::string::npos) << j.reason;
  // An unexpected pass is a miss too: the expectation is what the rule compares with.
  const auto unexpected_pass = judge_profile(
      profile("resumption"), {cell("resumption", "tls12-tickets", Status::pass, false)});
  EXPECT_EQ(unexpected_pass.verdict, ProfileVerdict::not_met);
}

TEST(CertifyProfiles, AllUnsupportedIsNotApplicableNeverMet) {
  const std::vector<ProfileCell> cells = {
      cell("groups-hybrid", "x25519mlkem768-only", Status::unsupported, false),
      cell("groups-hybrid", "mlkem768-only", Status::unsupported, true)};
  const auto j = judge_profile(profile("hybrid-pq-kex"), cells);
  EXPECT_EQ(j.verdict, ProfileVerdict::not_applicable);
  EXPECT_EQ(j.unsupported.size(), 2u);
  EXPECT_TRUE(j.executed.empty());
  EXPECT_STREQ(profile_verdict_name(j.verdict), "not_applicable");
}

TEST(CertifyProfiles, NoCellIsNotApplicable) {
  const auto j = judge_profile(profile("psk-guidance"),
                               {cell("baseline", "tls13-ecdsa-p256", Status::pass, true)});
  EXPECT_EQ(j.verdict, ProfileVerdict::not_applicable);
  EXPECT_TRUE(j.counted.empty());
}

TEST(CertifyProfiles, TheTableCoversEverySuiteOnceWithCitations) {
  std::set<std::string> ids;
  for (const auto& p : certification_profiles()) {
    EXPECT_TRUE(ids.insert(p.id).second) << p.id;
    EXPECT_FALSE(p.title.empty()) << p.id;
    EXPECT_FALSE(p.claim.empty()) << p.id;
    EXPECT_NE(p.citation.find("RFC"), std::string::npos) << p.id;
    EXPECT_FALSE(p.rule.empty()) << p.id;
  }
  for (const auto& file : std::filesystem::directory_iterator(
           std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites")) {
    if (file.path().extension() != ".yaml") continue;
    const auto suite = file.path().stem().string();
    int counting = 0;
    for (const auto& p : certification_profiles())
      counting += profile_counts(p, suite, "any-scenario") ? 1 : 0;
    EXPECT_EQ(counting, 1) << suite << " is counted by " << counting << " profiles";
  }
  EXPECT_NE(profile("psk-guidance").citation.find("E.7"), std::string::npos);
  EXPECT_NE(profile("psk-guidance").citation.find("RFC 9257"), std::string::npos);
  EXPECT_NE(profile("downgrade-protection").citation.find("RFC 7507"), std::string::npos);
  EXPECT_NE(profile("downgrade-protection").citation.find("§4.1.3"), std::string::npos);
}

TEST(CertifyCommand, SplitsLikeAShellWithoutExpanding) {
  EXPECT_EQ(
      split_command("  /opt/acme/peer --flag  'a b' \"c \\\"d\\\"\" e\\ f $HOME "),
      (std::vector<std::string>{"/opt/acme/peer", "--flag", "a b", "c \"d\"", "e f", "$HOME"}));
  EXPECT_EQ(split_command("x''"), (std::vector<std::string>{"x"}));
  EXPECT_THROW(split_command("peer 'open"), std::invalid_argument);
  EXPECT_THROW(split_command("   "), std::invalid_argument);
}

TEST(CertifyCommand, FindsTheProgramInPath) {
  EXPECT_EQ(resolve_program("sh", "/nonexistent:/bin:/usr/bin"), "/bin/sh");
  EXPECT_EQ(resolve_program("/bin/sh", ""), "/bin/sh");
  EXPECT_THROW(resolve_program("no-such-tlsmatrix-peer", "/bin:/usr/bin"), std::invalid_argument);
  // A file without execute permission is no program, by path or in PATH.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tlsmatrix-certify-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "peer") << "#!/bin/sh\n";
  std::filesystem::permissions(
      dir / "peer", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_THROW(resolve_program((dir / "peer").string(), ""), std::invalid_argument);
  EXPECT_THROW(resolve_program("peer", dir.string()), std::invalid_argument);
  std::filesystem::permissions(dir / "peer", std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  EXPECT_EQ(resolve_program("peer", "/nonexistent:" + dir.string()), (dir / "peer").string());
  std::filesystem::remove_all(dir);
}

TEST(CertifyCommand, ServerAddressIsAnIpLiteralAndAPort) {
  const auto v4 = parse_server_address("127.0.0.1:4433");
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 4433);
  EXPECT_EQ(v4.address(), "127.0.0.1:4433");
  const auto v6 = parse_server_address("[::1]:443");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.address(), "[::1]:443");
  for (const char* bad : {"localhost:4433", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
                          "127.0.0.1:65536", "127.0.0.1:44x", "::1:443", "[::1]", ":443"})
    EXPECT_THROW(parse_server_address(bad), std::invalid_argument) << bad;
}

// Nothing judged is nothing certified: a peer whose every cell is unsupported (or a run with
// no cell) gets no certification, though no profile is "not met".
TEST(Certification, NoApplicableProfileIsNotCertified) {
  Peer vendor;
  vendor.entry.id = "acme@vendor";
  const std::vector<CellResult> cells;
  CertificationInput input;
  input.vendor = &vendor;
  input.cells = &cells;
  const auto certification = make_certification(input);
  EXPECT_FALSE(certification.certified);
  EXPECT_FALSE(certification.json["certified"].get<bool>());
  EXPECT_EQ(certification.json["summary"], "no profile applies: nothing was judged");
  for (const auto& p : certification.json["profiles"]) EXPECT_EQ(p["verdict"], "not_applicable");
}

}  // namespace
}  // namespace tlsmatrix
