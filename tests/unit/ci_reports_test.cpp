// The reports for CI systems: junit.xml (a test case per cell; failures are exactly the
// unexpected cells) and ci-summary.md (bounded, whatever the size of the run).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "junit_xml.hpp"
#include "summary_markdown.hpp"

namespace tlsmatrix {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// One suite, one scenario, two peers; cells added with a status and what was expected.
class FixtureRun {
 public:
  FixtureRun() {
    suite_.id = "psk";
    Scenario scenario;
    scenario.id = "psk-ke";
    suite_.scenarios.push_back(scenario);
    client_.entry.id = "a@host";
    server_.entry.id = "b@host";
  }
  CellResult& add(Status status, Status expected, std::string reason) {
    auto& c = cells_.emplace_back();
    c.id = fmt::format("psk/psk-ke/a@host->b@host#{}", cells_.size());
    c.suite = &suite_;
    c.scenario = &suite_.scenarios.front();
    c.client = &client_;
    c.server = &server_;
    c.verdict.status = status;
    c.verdict.reason = std::move(reason);
    c.expected.status = expected;
    c.wall_ms = 12.5;
    return c;
  }
  std::string junit() const { return junit_xml(info_, {suite_}, cells()); }
  std::string ci_summary() const {
    return ci_summary_markdown(info_, {client_, server_}, {suite_}, cells());
  }

 private:
  std::vector<CellResult> cells() const { return {cells_.begin(), cells_.end()}; }
  Suite suite_;
  Peer client_, server_;
  RunInfo info_ = [] {
    RunInfo info;
    info.id = "20261203T000000Z-00000000";
    info.started = "2026-12-03T00:00:00Z";
    return info;
  }();
  std::deque<CellResult> cells_;  // stable addresses
};

TEST(JunitXml, UnexpectedCellsFailExpectedOnesPassAndUnsupportedIsSkipped) {
  FixtureRun run;
  run.add(Status::pass, Status::pass, "handshake completed");
  run.add(Status::deviation, Status::deviation, "observed illegal_parameter").expected.source =
      "adapters/b/known-deviations.yaml:7";
  run.add(Status::unsupported, Status::unsupported, "server b@host lacks psk_ke");
  run.add(Status::fail, Status::pass, "expected refused, observed success");
  run.add(Status::pass, Status::fail, "handshake completed");  // fixed upstream: unexpected too
  run.add(Status::error, Status::pass, "server peer b@host crashed");
  const auto xml = run.junit();
  EXPECT_NE(xml.find(R"(<testsuites name="tlsmatrix run 20261203T000000Z-00000000" tests="6" )"
                     R"(failures="2" errors="1" skipped="1" time="0.075">)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<testsuite name="psk" tests="6" failures="2" errors="1" skipped="1" )"
                     R"(time="0.075" timestamp="2026-12-03T00:00:00Z">)"),
            std::string::npos)
      << xml;
  EXPECT_EQ(count(xml, "<testcase "), 6u);
  EXPECT_NE(xml.find(R"(<testcase classname="tlsmatrix.psk.psk-ke" name="a@host-&gt;b@host" )"
                     R"(time="0.013"/>)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<failure type="fail" message="fail, expected pass: expected refused, )"
                     R"(observed success">)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<failure type="pass" message="pass, expected fail: )"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<error type="error" message="error, expected pass: server peer b@host )"
                     R"(crashed">)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<skipped message="server b@host lacks psk_ke"/>)"), std::string::npos)
      << xml;
  // An expected deviation passes, and says what it is.
  EXPECT_NE(xml.find("<system-out>status: deviation&#10;reason: observed illegal_parameter&#10;"
                     "expected: deviation (adapters/b/known-deviations.yaml:7)</system-out>"),
            std::string::npos)
      << xml;
}

// A peer's text can hold anything; the file stays well-formed XML 1.0.
TEST(JunitXml, HostileTextIsEscaped) {
  FixtureRun run;
  run.add(Status::fail, Status::pass, "<a href=\"x\">&'\x01\x1b[31m\xff\xef\xbf\xbf\r\n</a>");
  const auto xml = run.junit();
  EXPECT_NE(xml.find("&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\x01\\x1b[31m\\xff\\uffff\\x0d&#10;"
                     "&lt;/a&gt;"),
            std::string::npos)
      << xml;
  for (char c : xml) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << xml;
}

TEST(CiSummary, ListsTheFirstHundredUnexpectedCellsAndSaysHowManyMore) {
  FixtureRun run;
  for (int i = 0; i < 150; ++i) run.add(Status::fail, Status::pass, "expected success");
  for (int i = 0; i < 50; ++i) run.add(Status::pass, Status::pass, "handshake completed");
  const auto md = run.ci_summary();
  EXPECT_NE(md.find("**200 cells**: 50 pass, 0 deviation, 150 fail, 0 unsupported, 0 error; "
                    "**150 unexpected**"),
            std::string::npos)
      << md;
  EXPECT_EQ(count(md, "| fail | pass | `psk/psk-ke/"), 100u) << md;
  EXPECT_NE(md.find("... and 50 more (summary.md and matrix.json list every one)."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| psk | 200 | 50 | 0 | 150 | 0 | 0 | 150 |"), std::string::npos) << md;
  EXPECT_NE(md.find("2 peers: `a@host` `b@host`."), std::string::npos) << md;
}

}  // namespace
}  // namespace tlsmatrix
