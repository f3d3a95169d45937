// The pieces every output goes through: text made safe for JSON, the terminal and Markdown;
// result files whose failed writes are seen and leave nothing torn; run folders that two runs
// can never share.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "results_files.hpp"
#include "results_writer.hpp"
#include "run_info.hpp"
#include "safe_text.hpp"
#include "scenario_loader.hpp"
#include "summary_markdown.hpp"

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;

// A handshake that completed although the scenario attacked it and expects a refusal: a
// downgrade that worked. It heads summary.md, above the unexpected cells, with its attack.
TEST(SummaryMarkdown, CompletedDowngradeAttemptComesFirst) {
  Suite suite;
  suite.id = "downgrade";
  Scenario scenario;
  scenario.id = "stripped";
  scenario.relay.push_back(parse_mutation("remove_group", {{"group", {"x25519"}}}));
  Expectation refused;
  refused.fact = Fact::handshake;
  refused.any_of = {"refused"};
  scenario.expectations.push_back(refused);
  suite.scenarios.push_back(scenario);
  Peer peer;
  peer.entry.id = "a@host";
  CellResult cell;
  cell.id = "downgrade/stripped/a@host->a@host";
  cell.suite = &suite;
  cell.scenario = &suite.scenarios.front();
  cell.client = cell.server = &peer;
  cell.verdict.status = Status::fail;
  cell.verdict.reason = "expected refused, observed success";
  cell.verdict.checks.push_back(
      {&suite.scenarios.front().expectations.front(), 1, "success", "fail"});
  RunInfo info;
  const auto md = summary_markdown(info, {peer}, {suite}, {cell});
  const auto completed = md.find("## Downgrade attempts that completed a handshake");
  ASSERT_NE(completed, std::string::npos) << md;
  EXPECT_LT(completed, md.find("## Unexpected cells")) << md;
  EXPECT_NE(md.find("| fail | `downgrade/stripped/a@host->a@host` | remove_group(group: x25519) |"),
            std::string::npos)
      << md;

  cell.verdict.checks.front().observed = "refused";  // the attack was caught
  EXPECT_EQ(summary_markdown(info, {peer}, {suite}, {cell}).find("## Downgrade attempts"),
            std::string::npos);
}

TEST(SafeText, JsonTextReplacesBytesThatAreNotUtf8) {
  const nlohmann::json value = {{"error", "caf\xe9"}};
  EXPECT_THROW((void)value.dump(), nlohmann::json::type_error);
  EXPECT_EQ(json_text(value), "{\"error\":\"caf\xef\xbf\xbd\"}");
}

TEST(SafeText, PrintableEscapesControlsDelC1AndBytesThatAreNotUtf8) {
  EXPECT_EQ(printable("a\x1b[2Jb\x7f\xc2\x9b\xe9 é\tz\n"), "a\\x1b[2Jb\\x7f\\xc2\\x9b\\xe9 é\tz\n");
  EXPECT_EQ(printable("one\ntwo\r", false), "one\\x0atwo\\x0d");
  // Overlong forms and surrogates are not UTF-8.
  EXPECT_EQ(printable("\xc0\xaf\xed\xa0\x80"), "\\xc0\\xaf\\xed\\xa0\\x80");
  EXPECT_EQ(printable(printable("\x1b")), "\\x1b") << "escaping twice changes nothing";
}

TEST(SafeText, MarkdownCellKeepsTheTableWhole) {
  EXPECT_EQ(markdown_cell("a | b\r\nc\nd\x1b"), "a \\| b c d\\x1b");
}

TEST(ResultsFiles, FailedLineWriteNamesTheFileAndTheError) {
  LineFile file;
  file.open("/dev/full");
  try {
    file.append_line("{}");
    FAIL() << "a write to /dev/full succeeded";
  } catch (const ResultsWriteError& e) {
    EXPECT_STREQ(e.what(), "cannot write /dev/full: No space left on device");
  }
}

// A write that gets only part of a line out (the file size limit stands in for a disk that
// fills mid-line): the part is cut off again, the error names the file, the lines before stay.
TEST(ResultsFiles, ShortWriteLeavesNoTornLine) {
  char name[] = "/tmp/tlsmatrix-line-file-XXXXXX";
  const int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string first(60, 'a'), second(60, 'b');
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead
    const rlimit limit{100, 100};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    LineFile file;
    file.open(name);
    file.append_line(first);
    try {
      file.append_line(second);
    } catch (const ResultsWriteError& e) {
      ::_exit(std::string(e.what()).find(name) != std::string::npos ? 0 : 2);
    }
    ::_exit(3);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::ifstream in(name);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), first + "\n");
  ::unlink(name);
}

class ResultsFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/tlsmatrix-results-output-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    dir_ = name;
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(ResultsFolder, AtomicWriteLeavesTheOldFileOrTheNewOneNeverATornOne) {
  write_file_atomically(dir_ / "matrix.json", "old\n");
  EXPECT_THROW(write_file_atomically(dir_ / "missing/matrix.json", "new\n"), ResultsWriteError);
  write_file_atomically(dir_ / "matrix.json", "new\n");
  std::ifstream in(dir_ / "matrix.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "new\n");
  EXPECT_FALSE(fs::exists(dir_ / "matrix.json.tmp"));
}

Peer fixture_peer(const std::string& id) {
  Peer p;
  p.entry = {id, "fake", "fixture", {"true"}, "test"};
  return p;
}

TEST_F(ResultsFolder, TwoRunsWithOneRunIdGetTwoFoldersAndAnEmptyRunGetsNone) {
  const std::vector<Suite> suites = {load_suite_text(
      R"(schema_version: 1
suite: unit
title: unit
scenarios:
  - id: plain
    title: plain
    client: {groups: [x25519]}
    server: {groups: [x25519]}
    expect:
      - handshake: success
        cite: RFC 8446 §4.1.1
)",
      "unit.yaml", TestPki(fs::path(TLSMATRIX_SOURCE_DIR) / "suites/pki"))};
  const std::vector<Peer> peers = {fixture_peer("a@fixture")};
  const auto cell = [&] {
    CellResult c;
    c.id = "unit/plain/a@fixture->a@fixture";
    c.suite = &suites[0];
    c.scenario = &suites[0].scenarios[0];
    c.client = c.server = &peers[0];
    c.verdict.status = Status::pass;
    return c;
  };
  const auto id = new_run_id();
  ResultsWriter first(dir_, id, peers, suites), second(dir_, id, peers, suites),
      empty(dir_, id, peers, suites);
  first.add(cell());
  second.add(cell());
  EXPECT_EQ(first.run_id(), id);
  EXPECT_NE(second.run_id(), id);
  RunInfo info;
  EXPECT_TRUE(first.finish(info));
  EXPECT_TRUE(second.finish(info));
  EXPECT_FALSE(empty.finish(info));
  std::size_t folders = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++folders;
    EXPECT_TRUE(fs::exists(entry.path() / "matrix.json")) << entry.path();
  }
  EXPECT_EQ(folders, 2u);
}

}  // namespace
}  // namespace tlsmatrix
