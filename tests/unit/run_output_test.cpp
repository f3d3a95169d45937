// The real `tlsmatrix run` against fixture peers (tests/fixtures/misbehaving_peer.sh) and a
// hostile environment: a terminal pipe closed early, a full disk, a flood of handshake
// messages, bytes that are not UTF-8, escape sequences, an interrupt before any cell finished.
// In each case the results folder, the product of a run, must be whole and valid.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kFixture =
    std::string(TLSMATRIX_SOURCE_DIR) + "/tests/fixtures/misbehaving_peer.sh";
const std::string kBinary = std::string(TLSMATRIX_BINARY_DIR) + "/tlsmatrix";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Strict parse: nlohmann rejects bytes that are not UTF-8, as every JSON reader should.
json parse_json(const std::string& text) {
  return json::parse(text);
}

bool has_control_character(const std::string& text) {
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return true;
  return false;
}

class RunOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/tlsmatrix-run-output-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    dir_ = name;
    fs::create_directories(dir_ / "suites");
    fs::create_directory_symlink(fs::path(TLSMATRIX_SOURCE_DIR) / "suites/pki",
                                 dir_ / "suites/pki");
    std::ofstream(dir_ / "suites/unit.yaml") << R"(schema_version: 1
suite: unit
title: unit
scenarios:
  - id: hrr
    title: HRR
    client: {groups: [x25519, secp256r1], key_shares: [x25519]}
    server: {groups: [secp256r1]}
    expect:
      - handshake: success
        cite: RFC 8446 §4.1.1
  - id: plain
    title: plain
    client: {groups: [x25519]}
    server: {groups: [x25519]}
    expect:
      - handshake: success
        cite: RFC 8446 §4.1.1
)";
  }
  void TearDown() override {
    if (mounted_) ::umount2(results_.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // A catalog of fixture peers: {id, mode}.
  void write_catalog(const std::vector<std::pair<std::string, std::string>>& peers) {
    json list = json::array();
    for (const auto& [id, mode] : peers)
      list.push_back({{"id", id},
                      {"stack", "fake"},
                      {"environment", "fixture"},
                      {"command", {"bash", kFixture, mode, std::to_string(::getpid())}}});
    std::ofstream(dir_ / "catalog.json")
        << json{{"schema", "tlsmatrix-peer-catalog"}, {"schema_version", 1}, {"peers", list}};
  }

  // Runs `tlsmatrix run` through bash with `extra` arguments, then `tail` (by default stdout
  // and stderr to files and the exit status to `status`; a tail must write `status` itself);
  // returns the exit status.
  int run(const std::string& extra, const std::string& tail = "") {
    const auto command = quoted(kBinary) + " run --only-catalogs --catalog " +
                         quoted((dir_ / "catalog.json").string()) + " --suites-dir " +
                         quoted((dir_ / "suites").string()) + " --results " +
                         quoted(results_.string()) + " --cell-timeout 10 -j 2 " + extra;
    const auto script = tail.empty()
                            ? command + " >" + quoted((dir_ / "stdout").string()) + " 2>" +
                                  quoted((dir_ / "stderr").string()) + "; echo $? >" + status_file()
                            : command + " " + tail;
    const auto start = std::chrono::steady_clock::now();
    std::system(("bash -c " + quoted(script)).c_str());
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::stoi(read_file(dir_ / "status"));
  }

  std::string status_file() const { return quoted((dir_ / "status").string()); }

  // The one run folder under the results root (beside it: the run history, history.sqlite).
  fs::path run_folder() const {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(results_))
      if (entry.is_directory()) found.push_back(entry.path());
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? fs::path() : found.front();
  }

  fs::path dir_;
  fs::path results_ = fs::path("/nonexistent");
  bool mounted_ = false;
  double seconds_ = 0;
};

// Finding 2 and 13: a peer logs Latin-1 bytes and reports an error holding an escape sequence,
// a C1 control, a newline and a `|`; the command line holds a Latin-1 byte in a file name (the
// run records it).
// The run still ends with valid JSON everywhere (the byte as U+FFFD), JSON keeps the peer's exact
// text, and neither the terminal nor summary.md gets a control character.
TEST_F(RunOutput, BytesThatAreNotUtf8AndEscapesEndInValidResults) {
  results_ = dir_ / "results";
  write_catalog({{"latin1@fixture", "latin1-error"}, {"claims@fixture", "claims-x25519"}});
  // --filter must be UTF-8 (main.cpp refuses it), a file name need not be.
  const auto trimmed = dir_ / "trimmed-caf\xe9.json";
  const int status = run("--filter 'unit/hrr/*' --trimmed-copy " + quoted(trimmed.string()));
  EXPECT_EQ(status, 1) << read_file(dir_ / "stderr");
  const auto folder = run_folder();
  const auto matrix = parse_json(read_file(folder / "matrix.json"));
  EXPECT_EQ(matrix["totals"]["cells"], 4);
  EXPECT_TRUE(matrix["run"]["complete"].get<bool>());
  EXPECT_NE(matrix["run"]["command"].get<std::string>().find("caf\xef\xbf\xbd"), std::string::npos);
  std::istringstream lines(read_file(folder / "cells.jsonl"));
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) EXPECT_NO_THROW(parse_json(line));
  EXPECT_EQ(count, 4);
  EXPECT_NO_THROW(parse_json(read_file(trimmed)));
  bool escape_kept = false;
  for (const auto& cell : matrix["cells"])
    escape_kept |= cell["reason"].get<std::string>().find("\x1b[2J") != std::string::npos;
  EXPECT_TRUE(escape_kept) << "JSON keeps a peer's exact text";

  const auto summary = read_file(folder / "summary.md");
  EXPECT_FALSE(has_control_character(summary));
  EXPECT_NE(summary.find("\\x1b[2J"), std::string::npos) << summary;
  EXPECT_NE(summary.find("caf\xc3\xa9 \\| \\x1b[2J screen cleared second line\\xc2\\x9b"),
            std::string::npos)
      << summary;
  EXPECT_FALSE(has_control_character(read_file(dir_ / "stdout")));
  EXPECT_FALSE(has_control_character(read_file(dir_ / "stderr")));
}

// An attacked scenario: matrix.json says what the attacker did (nothing: no hello crossed the
// relay, so it found neither a target nor an absence) and summary.md names the attack. Peers
// that only claim a handshake make the cell `error`, not a completed downgrade.
TEST_F(RunOutput, AttackedScenarioIsReportedInMatrixAndSummary) {
  results_ = dir_ / "results";
  std::ofstream(dir_ / "suites/attack.yaml") << R"(schema_version: 1
suite: attack
title: attack
scenarios:
  - id: stripped
    title: stripped
    client: {groups: [x25519, secp256r1], key_shares: [x25519]}
    server: {groups: [x25519, secp256r1]}
    relay:
      - mutation: remove_group
        group: x25519
    expect:
      - handshake: refused
        cite: RFC 8446 Appendix E.1
)";
  write_catalog({{"claims@fixture", "claims-x25519"}});
  EXPECT_EQ(run("--suite attack"), 1) << read_file(dir_ / "stderr");
  const auto folder = run_folder();
  const auto matrix = parse_json(read_file(folder / "matrix.json"));
  ASSERT_EQ(matrix["cells"].size(), 1u);
  const auto& attack = matrix["cells"][0]["attack"];
  ASSERT_EQ(attack.size(), 1u);
  EXPECT_EQ(attack[0]["mutation"], "remove_group");
  EXPECT_EQ(attack[0]["params"]["group"], "x25519");
  EXPECT_EQ(attack[0]["applied"], 0);
  EXPECT_EQ(matrix["cells"][0]["status"], "error");
  const auto summary = read_file(folder / "summary.md");
  EXPECT_NE(summary.find("No downgrade attempt completed a handshake (1 attacked cells)"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("| `stripped` | remove_group(group: x25519) |"), std::string::npos)
      << summary;
}

// Finding 2, the arguments: a --filter that is not UTF-8 could match nothing a suite names and
// would end up in results as is, so the run refuses it before any work, naming it escaped.
TEST_F(RunOutput, ArgumentThatIsNotUtf8IsRefusedBeforeAnyWork) {
  results_ = dir_ / "results";
  write_catalog({{"claims@fixture", "claims-x25519"}});
  EXPECT_EQ(run("--filter $'caf\\xe9'"), 2);
  EXPECT_NE(read_file(dir_ / "stderr").find("--filter 'caf\\xe9' is not UTF-8"), std::string::npos)
      << read_file(dir_ / "stderr");
  EXPECT_FALSE(fs::exists(results_));
}

// Finding 3: the terminal side stops reading at once; the run goes on to the end and writes
// every cell.
TEST_F(RunOutput, ClosedTerminalPipeDoesNotStopTheRun) {
  results_ = dir_ / "results";
  std::vector<std::pair<std::string, std::string>> peers;
  for (int i = 0; i < 5; ++i)
    peers.emplace_back("fails" + std::to_string(i) + "@fixture", "configure-fails");
  write_catalog(peers);
  const int status =
      run("", "2>&1 | head -c 1 >/dev/null; echo ${PIPESTATUS[0]} >" + status_file());
  EXPECT_EQ(status, 1) << "exit 1: cells are unexpected errors; not a crash";
  const auto matrix = parse_json(read_file(run_folder() / "matrix.json"));
  EXPECT_EQ(matrix["totals"]["cells"], 50);
  EXPECT_TRUE(matrix["run"]["complete"].get<bool>());
}

// Finding 10: the results folder is on a tiny file system. The run stops at once with a message
// naming the file and the OS error and a status of its own; every line of cells.jsonl is whole,
// and matrix.json is whole or absent, never torn or empty.
TEST_F(RunOutput, FullDiskStopsTheRunAndKeepsWholeLines) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  results_ = dir_ / "results";
  fs::create_directory(results_);
  if (::mount("tlsmatrix-test", results_.c_str(), "tmpfs", 0, "size=24k") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  mounted_ = true;
  std::vector<std::pair<std::string, std::string>> peers;
  for (int i = 0; i < 8; ++i)
    peers.emplace_back("fails" + std::to_string(i) + "@fixture", "configure-fails");
  write_catalog(peers);
  const int status = run("");
  const auto stderr_text = read_file(dir_ / "stderr");
  EXPECT_EQ(status, 74) << stderr_text;
  EXPECT_NE(stderr_text.find("No space left on device"), std::string::npos) << stderr_text;
  EXPECT_NE(stderr_text.find(results_.string()), std::string::npos) << stderr_text;
  const auto folder = run_folder();
  const auto cells = read_file(folder / "cells.jsonl");
  EXPECT_TRUE(cells.empty() || cells.back() == '\n');
  std::istringstream lines(cells);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) EXPECT_NO_THROW(parse_json(line));
  EXPECT_LT(count, 128) << "the run stopped at the first failed write";
  if (fs::exists(folder / "matrix.json")) {
    const auto matrix = parse_json(read_file(folder / "matrix.json"));
    EXPECT_EQ(matrix["totals"]["cells"], count);
  }
  EXPECT_FALSE(fs::exists(folder / "matrix.json.tmp"));
  EXPECT_LT(seconds_, 30);
}

// Finding 9: a server floods 4 MiB of empty handshake messages. The cell's record is capped
// and says so, its verdict says the record was capped, and the results stay small.
TEST_F(RunOutput, FloodOfEmptyHandshakeMessagesIsCappedAndSaysSo) {
  results_ = dir_ / "results";
  write_catalog({{"flood@fixture", "floods-empty-handshakes"}});
  const int status = run("--filter 'unit/plain/*'");
  EXPECT_EQ(status, 1) << read_file(dir_ / "stderr");
  const auto folder = run_folder();
  const auto line = read_file(folder / "cells.jsonl");
  EXPECT_LT(line.size(), 200000u);
  EXPECT_LT(fs::file_size(folder / "matrix.json"), 400000u);
  const auto cell = parse_json(line);
  EXPECT_EQ(cell["status"], "error");
  EXPECT_NE(cell["reason"].get<std::string>().find("the wire record was capped at 4194304 bytes "
                                                   "(server->client)"),
            std::string::npos)
      << cell["reason"];
  const auto& wire = cell["wire"];
  EXPECT_GT(wire["server_to_client"]["handshake_message_count"].get<std::size_t>(), 1000000u);
  EXPECT_EQ(wire["server_to_client"]["handshake_messages"].size(), 256u);
  const auto truncated = wire["truncated"].dump();
  EXPECT_NE(truncated.find("server_to_client.handshake_messages: the first 256 of"),
            std::string::npos)
      << truncated;
  EXPECT_NE(truncated.find("server->client: only the first 4194304 bytes were recorded"),
            std::string::npos)
      << truncated;
}

// Finding 15: interrupted before any cell finished, a run leaves no folder behind.
TEST_F(RunOutput, InterruptBeforeAnyCellLeavesNoFolder) {
  results_ = dir_ / "results";
  write_catalog({{"hang@fixture", "hang"}});
  const int status = run("--filter 'unit/plain/*'",
                         ">/dev/null 2>" + quoted((dir_ / "stderr").string()) +
                             " & sleep 1.5; kill -INT $!; wait $!; echo $? >" + status_file());
  EXPECT_EQ(status, 130) << read_file(dir_ / "stderr");
  EXPECT_TRUE(!fs::exists(results_) || fs::is_empty(results_)) << "an empty run folder is left";
  EXPECT_NE(read_file(dir_ / "stderr").find("no results folder was made"), std::string::npos);
}

}  // namespace
}  // namespace tlsmatrix
