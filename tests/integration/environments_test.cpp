// The whole matrix across every stack environment ci/provision made (peers/environments/):
// every suite over every ordered pair of releases. Which stacks and peers take part comes from
// the environments' definitions and catalogs only. Each cell must give the result the stacks'
// known-deviation files expect (pass where none says otherwise), and no cell may be an
// `error`. ci/test provisions the environments before it runs the tests, so this runs in CI;
// by hand, run ci/provision first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "installed_version.hpp"
#include "known_deviations.hpp"
#include "matrix_runner.hpp"
#include "peer_catalog.hpp"
#include "peer_jail.hpp"
#include "scenario_loader.hpp"

namespace tlsmatrix {
namespace {

const std::filesystem::path kSource(TLSMATRIX_SOURCE_DIR);
const std::filesystem::path kEnvironments = kSource / ".cache" / "environments";
const std::filesystem::path kDefinitions = kSource / "peers" / "environments";

// Every peer runs through the jail, unprivileged, as under `tlsmatrix run` (and a catalog entry
// with a `root` can only run through it).
const bool kJailed = [] {
  use_peer_jail(make_peer_jail(TLSMATRIX_BINARY_DIR, ""));
  return true;
}();

std::vector<PeerEntry> environment_peers() {
  std::vector<PeerEntry> entries;
  for (const auto& catalog : environment_catalogs(kEnvironments))
    for (auto& e : load_catalog(catalog)) entries.push_back(std::move(e));
  return entries;
}

// Every environment definition with its stacks, as the provisioning tool reads them
// (`ci/provision --list --json`), so the definitions' format is parsed in one place only.
std::map<std::string, std::multiset<std::string>> defined_environments() {
  const auto command = (std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "ci" / "provision").string() +
                       " --list --json";
  std::string text;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
    pclose(pipe);
  }
  std::map<std::string, std::multiset<std::string>> out;
  const auto listed = nlohmann::json::parse(text, nullptr, false);
  if (!listed.is_array()) {
    ADD_FAILURE() << command << " did not answer a JSON list: " << text;
    return out;
  }
  for (const auto& d : listed) {
    const auto name = d.value("name", "");
    if (d.contains("error")) ADD_FAILURE() << "definition " << name << ": " << d["error"];
    auto& stacks = out[name];
    for (const auto& stack : d.value("stacks", nlohmann::json::array()))
      stacks.insert(stack.get<std::string>());
  }
  return out;
}

// Which stacks each environment has comes from its definition (stacks), and what
// ci/provision made of it from its catalog: every defined environment is provisioned, with
// one peer per stack it lists. A stack added to a definition is expected here without
// editing this file.
TEST(EnvironmentMatrix, EveryEnvironmentHasThePeersItsDefinitionLists) {
  if (environment_catalogs(kEnvironments).empty())
    GTEST_SKIP() << "no environments: run ci/provision (ci/test does)";
  const auto defined = defined_environments();
  for (const auto& [name, stacks] : defined) {
    SCOPED_TRACE("environment " + name);
    EXPECT_FALSE(stacks.empty()) << name << " lists no stacks";
    const auto catalog = kEnvironments / name / "peers.catalog.json";
    if (!std::filesystem::exists(catalog)) {
      ADD_FAILURE() << "defined in " << kDefinitions << " but not provisioned (no " << catalog
                    << "): run ci/provision " << name;
      continue;
    }
    std::multiset<std::string> provisioned;
    for (const auto& e : load_catalog(catalog)) {
      provisioned.insert(e.stack);
      EXPECT_EQ(e.environment, name) << e.id;
    }
    EXPECT_EQ(provisioned, stacks) << catalog << " does not hold one peer per stack of the " << name
                                   << " definition: run ci/provision " << name;
  }
  for (const auto& catalog : environment_catalogs(kEnvironments))
    EXPECT_TRUE(defined.count(catalog.parent_path().filename().string()))
        << catalog << " has no definition in " << kDefinitions;
}

// Each peer runs the release its environment installed (dpkg in its root, or the source build's
// tarball), so its id and the known deviations' version ranges mean what they say.
TEST(EnvironmentMatrix, EveryPeerRunsTheReleaseItsEnvironmentInstalled) {
  const auto entries = environment_peers();
  if (entries.empty()) GTEST_SKIP() << "no environments: run ci/provision (ci/test does)";
  for (const auto& p : probe_peers(entries, std::chrono::seconds(60))) {
    SCOPED_TRACE(p.entry.id + " in " + p.entry.catalog);
    const std::filesystem::path root = p.entry.root.empty() ? "/" : p.entry.root;
    const auto installed = installed_upstream_version(
        root, p.capabilities.library_file,
        root / "tlsmatrix" / p.entry.environment / "source" / "download");
    EXPECT_EQ(p.capabilities.version, installed)
        << "the peer loaded " << p.capabilities.library_file << " in " << root
        << ", which its environment installed at version " << installed;
  }
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
