// The whole matrix across every stack environment ci/provision made (peers/environments/):
// every suite over every ordered pair of releases. Which stacks and peers take part comes from
// the environments' definitions and catalogs only. Each cell must give the result the stacks'
// known-deviation files expect (pass where none says otherwise), and no cell may be an
// `error`. ci/test provisions the environments before it runs the tests, so this runs in CI;
// by hand, run ci/provision first.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "known_deviations.hpp"
#include "matrix_runner.hpp"
#include "peer_catalog.hpp"
#include "scenario_loader.hpp"

namespace tlsmatrix {
namespace {

const std::filesystem::path kSource(TLSMATRIX_SOURCE_DIR);
const std::filesystem::path kEnvironments = kSource / ".cache" / "environments";
const std::filesystem::path kDefinitions = kSource / "peers" / "environments";

std::vector<PeerEntry> environment_peers() {
  std::vector<PeerEntry> entries;
  for (const auto& catalog : environment_catalogs(kEnvironments))
    for (auto& e : load_catalog(catalog)) entries.push_back(std::move(e));
  return entries;
}

// The STACKS of an environment definition (peers/environments/README.md: shell KEY=value
// assignments and comments; a list is one quoted value, blank- or newline-separated).
std::multiset<std::string> defined_stacks(const std::filesystem::path& definition) {
  std::ifstream in(definition);
  std::string value;
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("STACKS=")) continue;
    value = line.substr(7);
    if (value.empty() || (value[0] != '"' && value[0] != '\'')) {
      value = value.substr(0, value.find('#'));
      continue;
    }
    const char quote = value[0];
    value.erase(0, 1);
    while (value.find(quote) == std::string::npos && std::getline(in, line)) value += " " + line;
    value = value.substr(0, value.find(quote));
  }
  std::multiset<std::string> stacks;
  std::istringstream words(value);
  for (std::string stack; words >> stack;) stacks.insert(stack);
  return stacks;
}

// Which stacks each environment has comes from its definition (STACKS), and what
// ci/provision made of it from its catalog: every defined environment is provisioned, with
// one peer per stack it lists. A stack added to a definition is expected here without
// editing this file.
TEST(EnvironmentMatrix, EveryEnvironmentHasThePeersItsDefinitionLists) {
  if (environment_catalogs(kEnvironments).empty())
    GTEST_SKIP() << "no environments: run ci/provision (ci/test does)";
  std::set<std::string> defined;
  for (const auto& file : std::filesystem::directory_iterator(kDefinitions)) {
    if (file.path().extension() != ".env") continue;
    const auto name = file.path().stem().string();
    defined.insert(name);
    SCOPED_TRACE("environment " + name);
    const auto stacks = defined_stacks(file.path());
    EXPECT_FALSE(stacks.empty()) << file.path() << " lists no STACKS";
    const auto catalog = kEnvironments / name / "peers.catalog.json";
    if (!std::filesystem::exists(catalog)) {
      ADD_FAILURE() << "defined in " << file.path() << " but not provisioned (no " << catalog
                    << "): run ci/provision " << name;
      continue;
    }
    std::multiset<std::string> provisioned;
    for (const auto& e : load_catalog(catalog)) {
      provisioned.insert(e.stack);
      EXPECT_EQ(e.environment, name) << e.id;
    }
    EXPECT_EQ(provisioned, stacks) << catalog << " does not hold one peer per stack of "
                                   << file.path() << ": run ci/provision " << name;
  }
  for (const auto& catalog : environment_catalogs(kEnvironments))
    EXPECT_TRUE(defined.count(catalog.parent_path().filename().string()))
        << catalog << " has no definition in " << kDefinitions;
}

TEST(EnvironmentMatrix, EveryCellAsExpected) {
  const auto entries = environment_peers();
  if (entries.empty()) GTEST_SKIP() << "no environments: run ci/provision (ci/test does)";
  const auto peers = probe_peers(entries, std::chrono::seconds(60));
  // Each peer is of the stack its catalog entry names, so its cells are that stack's cells.
  for (const auto& p : peers)
    EXPECT_EQ(p.capabilities.stack, p.entry.stack) << p.entry.id << " in " << p.entry.catalog;

  KnownDeviations known_deviations;
  for (const auto& f : stack_deviation_files(kSource)) known_deviations.add_file(f);
  const auto suites = load_suites(kSource / "suites", TestPki(kSource / "suites" / "pki"));
  RunOptions options;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  options.known_deviations = &known_deviations;
  const auto cells = plan_cells(suites, peers, options);
  ASSERT_FALSE(cells.empty());

  const std::atomic<bool> cancelled{false};
  std::map<Status, std::size_t> seen;
  run_cells(
      cells, options, cancelled, [&](CellResult&& r) {
        SCOPED_TRACE(r.id);
        ++seen[r.verdict.status];
        EXPECT_NE(r.verdict.status, Status::error) << r.verdict.reason;
        EXPECT_TRUE(as_expected(r))
            << status_name(r.verdict.status) << " (expected " << status_name(r.expected.status)
            << ", " << (r.expected.source.empty() ? "no known deviation" : r.expected.source)
            << "): " << r.verdict.reason;
      });
  EXPECT_GT(seen[Status::pass], 0u);
}

}  // namespace
}  // namespace tlsmatrix
