// The run history: two synthetic runs in which a peer's library version differs, recorded
// from their matrix files as `tlsmatrix history --record` does; the cell's change is found
// with the versions it happened between.
#include "run_history.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json peer(const std::string& id, const std::string& stack, const std::string& version) {
  return {{"id", id}, {"stack", stack}, {"library_version", version}};
}

json cell(const std::string& client, const std::string& server, const std::string& status,
          const std::string& match) {
  return {{"id", fmt::format("psk/psk-ke/{}->{}", client, server)},
          {"suite", "psk"},
          {"scenario", "psk-ke"},
          {"client", client},
          {"server", server},
          {"status", status},
          {"match", match},
          {"reason", status == "pass" ? "handshake completed" : "expected refused"}};
}

// A matrix file as `tlsmatrix run` writes it, with only what the history reads.
MatrixFile run(const std::string& id, const std::string& started, const std::string& version,
               const std::string& status) {
  const auto openssl = fmt::format("openssl-{}@host", version);
  json m = {
      {"schema", "tlsmatrix-matrix"},
      {"schema_version", 7},
      {"run",
       {{"id", id},
        {"started", started},
        {"finished", started},
        {"complete", true},
        {"shard", "0/1"}}},
      {"peers", {peer(openssl, "openssl", version), peer("gnutls-3.7.9@host", "gnutls", "3.7.9")}},
      {"cells",
       {cell(openssl, "gnutls-3.7.9@host", status, status == "pass" ? "expected" : "unexpected"),
        cell("gnutls-3.7.9@host", openssl, "pass", "expected")}}};
  return {id + "/matrix.json", m};
}

class RunHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("tlsmatrix-history-{}", ::getpid());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path db() const { return dir_ / "sub" / "history.sqlite"; }
  fs::path dir_;
};

TEST_F(RunHistoryTest, AChangeIsFoundWithTheLibraryVersionsItHappenedBetween) {
  {
    RunHistory history(db());  // made with its folder
    EXPECT_EQ(history.record(run_record(run("R1", "2026-12-01T00:00:00Z", "3.0.19", "pass"))), 2u);
    history.record(run_record(run("R2", "2026-12-02T00:00:00Z", "3.0.20", "fail")));
    history.record(run_record(run("R2", "2026-12-02T00:00:00Z", "3.0.20", "fail")));  // again
  }
  RunHistory history(db());  // reopened
  EXPECT_EQ(history.run_count(), 2u);

  const auto cells = history.cells("psk/*/openssl@host->*");
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].key, "psk/psk-ke/openssl@host->gnutls@host");
  ASSERT_EQ(cells[0].runs.size(), 2u);
  EXPECT_EQ(cells[0].runs[0].client_version, "3.0.19");
  EXPECT_EQ(cells[0].runs[1].client_version, "3.0.20");
  EXPECT_EQ(cells[0].runs[1].cell.status, "fail");
  const auto text = cell_history_text(cells);
  EXPECT_NE(text.find("psk/psk-ke/openssl@host->gnutls@host\n  last changed in run R2 "
                      "(2026-12-02T00:00:00Z), after run R1 (2026-12-01T00:00:00Z): pass "
                      "(expected) -> fail (unexpected); client library 3.0.19 -> 3.0.20\n"),
            std::string::npos)
      << text;

  // A pattern with the versioned id finds the cell too; the other direction did not change.
  EXPECT_EQ(history.cells("*openssl-3.0.19@host->gnutls*").size(), 1u);
  const auto other = cell_history_text(history.cells("psk/psk-ke/gnutls@host->openssl@host"));
  EXPECT_NE(other.find("unchanged in 2 recorded runs: pass (expected)"), std::string::npos)
      << other;
  EXPECT_EQ(cell_history_text(history.cells("nothing/*")), "no recorded cell matches\n");

  const auto trend = history.peer_runs("openssl");
  ASSERT_EQ(trend.size(), 2u);
  EXPECT_EQ(trend[0].peer.version, "3.0.19");
  EXPECT_EQ(trend[1].peer.version, "3.0.20");
  EXPECT_EQ(trend[1].cells, 2u);
  EXPECT_EQ(trend[1].by_status.at("fail"), 1u);
  EXPECT_EQ(trend[1].unexpected, 1u);
  EXPECT_EQ(history.peer_runs("gnutls@*").size(), 2u);
}

TEST_F(RunHistoryTest, AFileThatIsNotAHistoryIsNamed) {
  fs::create_directories(db().parent_path());
  std::ofstream(db()) << "not a database, just text that is long enough to have a header......"
                         "................................................................";
  try {
    RunHistory history(db());
    FAIL() << "opened";
  } catch (const HistoryError& e) {
    EXPECT_NE(std::string(e.what()).find(db().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
}

TEST_F(RunHistoryTest, AMatrixWithoutRunIdIsRefused) {
  auto file = run("R1", "2026-12-01T00:00:00Z", "3.0.19", "pass");
  file.matrix["run"].erase("id");
  EXPECT_THROW(run_record(file), MatrixFileError);
}

}  // namespace
}  // namespace tlsmatrix
