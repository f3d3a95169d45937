// `tlsmatrix diff` on small matrix files written here: a run against itself reports nothing,
// one altered cell is reported alone, library version changes are matched by peer.
#include "matrix_diff.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "commands.hpp"

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json cell(const std::string& scenario, const std::string& client, const std::string& server,
          const std::string& status) {
  return {{"id", "baseline/" + scenario + "/" + client + "->" + server},
          {"suite", "baseline"},
          {"scenario", scenario},
          {"client", client},
          {"server", server},
          {"status", status},
          {"match", status == "pass" ? "expected" : "unexpected"},
          {"reason", "r"}};
}

json matrix(const std::string& openssl_version) {
  const auto openssl = "openssl-" + openssl_version + "@sid";
  json cells = json::array();
  for (const auto* scenario : {"a", "b"})
    for (const auto& client : {openssl, std::string("gnutls@host")})
      for (const auto& server : {openssl, std::string("gnutls@host")})
        cells.push_back(cell(scenario, client, server, "pass"));
  return {{"schema", "tlsmatrix-matrix"},
          {"schema_version", 2},
          {"peers",
           {{{"id", openssl}, {"library_version", openssl_version}},
            {{"id", "gnutls@host"}, {"library_version", "3.7.9"}}}},
          {"cells", cells}};
}

class MatrixDiffTest : public ::testing::Test {
 protected:
  fs::path dir_ =
      fs::temp_directory_path() /
      ("tlsmatrix-diff-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { fs::create_directories(dir_); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const json& m) {
    std::ofstream(dir_ / name) << m.dump(2);
    return (dir_ / name).string();
  }
};

TEST_F(MatrixDiffTest, RunAgainstItselfReportsNothing) {
  const auto file = write("old.json", matrix("3.6.4"));
  const auto diff = diff_matrices(load_matrix(file), load_matrix(file));
  EXPECT_EQ(diff.compared, 8u);
  EXPECT_TRUE(diff.regressions.empty() && diff.fixes.empty() && diff.changed.empty() &&
              diff.added.empty() && diff.vanished.empty() && diff.peer_versions.empty());
  EXPECT_EQ(diff_command(file, file, false), 0);
}

TEST_F(MatrixDiffTest, OneAlteredCellIsTheOnlyRegression) {
  const auto old_file = write("old.json", matrix("3.6.4"));
  auto altered = matrix("3.6.4");
  altered["cells"][5] = cell("b", "openssl-3.6.4@sid", "gnutls@host", "fail");
  const auto new_file = write("new.json", altered);
  const auto diff = diff_matrices(load_matrix(old_file), load_matrix(new_file));
  ASSERT_EQ(diff.regressions.size(), 1u);
  EXPECT_EQ(diff.regressions[0].key, "baseline/b/openssl@sid->gnutls@host");
  EXPECT_EQ(diff.regressions[0].new_cell->status, "fail");
  EXPECT_TRUE(diff.fixes.empty() && diff.changed.empty() && diff.added.empty() &&
              diff.vanished.empty());
  EXPECT_EQ(diff_command(old_file, new_file, true), 1);
  // The reverse is a fix, which is no reason to fail.
  const auto back = diff_matrices(load_matrix(new_file), load_matrix(old_file));
  EXPECT_EQ(back.fixes.size(), 1u);
  EXPECT_EQ(diff_command(new_file, old_file, false), 0);
}

TEST_F(MatrixDiffTest, ExpectedToUnexpectedIsARegression) {
  const auto old_file = write("old.json", matrix("3.6.4"));
  auto altered = matrix("3.6.4");
  altered["cells"][0]["status"] = "unsupported";
  altered["cells"][0]["match"] = "expected";
  altered["cells"][1]["status"] = "deviation";
  altered["cells"][1]["match"] = "expected";
  const auto diff = diff_matrices(load_matrix(old_file), load_matrix(write("new.json", altered)));
  EXPECT_EQ(diff.regressions.size(), 2u);  // pass -> anything else, expected or not
  auto twice = altered;
  twice["cells"][1]["match"] = "unexpected";
  const auto second =
      diff_matrices(load_matrix(write("a.json", altered)), load_matrix(write("b.json", twice)));
  ASSERT_EQ(second.regressions.size(), 1u);
  EXPECT_EQ(second.regressions[0].old_cell->status, "deviation");
}

TEST_F(MatrixDiffTest, LibraryVersionChangeComparesTheSameCells) {
  const auto diff = diff_matrices(load_matrix(write("old.json", matrix("3.6.4"))),
                                  load_matrix(write("new.json", matrix("3.6.5"))));
  ASSERT_EQ(diff.peer_versions.size(), 1u);
  EXPECT_EQ(diff.peer_versions[0].peer, "openssl@sid");
  EXPECT_EQ(diff.peer_versions[0].old_version, "3.6.4");
  EXPECT_EQ(diff.peer_versions[0].new_version, "3.6.5");
  EXPECT_EQ(diff.compared, 8u);
  EXPECT_TRUE(diff.added.empty() && diff.vanished.empty() && diff.regressions.empty());
}

TEST_F(MatrixDiffTest, NewAndVanishedCells) {
  auto fewer = matrix("3.6.4");
  fewer["cells"].erase(fewer["cells"].begin());
  const auto diff = diff_matrices(load_matrix(write("old.json", fewer)),
                                  load_matrix(write("new.json", matrix("3.6.4"))));
  ASSERT_EQ(diff.added.size(), 1u);
  EXPECT_EQ(diff.added[0].key, "baseline/a/openssl@sid->openssl@sid");
  EXPECT_TRUE(diff.vanished.empty() && diff.regressions.empty());
}

TEST_F(MatrixDiffTest, BadInputNamesTheFile) {
  const auto good = write("good.json", matrix("3.6.4"));
  std::ofstream(dir_ / "garbage.json") << "{not json";
  for (const auto& bad : {(dir_ / "garbage.json").string(), (dir_ / "missing.json").string(),
                          write("other.json", json{{"schema", "something-else"}})}) {
    try {
      diff_command(good, bad, false);
      ADD_FAILURE() << "no error for " << bad;
    } catch (const MatrixFileError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST_F(MatrixDiffTest, ReadsARunFolder) {
  fs::create_directories(dir_ / "run");
  write("run/matrix.json", matrix("3.6.4"));
  EXPECT_EQ(load_matrix((dir_ / "run").string()).path, (dir_ / "run" / "matrix.json").string());
}

}  // namespace
}  // namespace tlsmatrix
