// Peers run without privileges (issue 8, finding 16) and none outlives a runner killed with
// SIGKILL (finding 7).
#include "peer_jail.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "peer_catalog.hpp"

namespace tlsmatrix {
namespace {

const std::string kFixture =
    std::string(TLSMATRIX_SOURCE_DIR) + "/tests/fixtures/misbehaving_peer.sh";
const std::string kToken = "jail" + std::to_string(::getpid());

std::string pgrep(const std::string& pattern) {
  std::string out;
  if (FILE* p = ::popen(("pgrep -f '" + pattern + "'").c_str(), "r")) {
    char line[64];
    while (std::fgets(line, sizeof line, p)) out += line;
    ::pclose(p);
  }
  return out;
}

bool leftovers() {
  return !pgrep("^tlsmatrix-fixture-" + kToken + " ").empty();
}

std::map<std::string, std::string> status_of(const std::string& pid) {
  std::map<std::string, std::string> fields;
  std::ifstream in("/proc/" + pid + "/status");
  for (std::string line; std::getline(in, line);)
    if (const auto colon = line.find(':'); colon != std::string::npos) {
      const auto value = line.find_first_not_of(" \t", colon + 1);
      fields[line.substr(0, colon)] = value == std::string::npos ? "" : line.substr(value);
    }
  return fields;
}

// While a probe hangs in the jail, every process of it (the jail's and the peer's) has a
// uid other than 0 and no capability at all.
TEST(PeerJail, PeersRunWithoutRootOrCapabilities) {
  if (::geteuid() != 0) GTEST_SKIP() << "runs peers as another user only when the test is root";
  use_peer_jail(make_peer_jail(TLSMATRIX_BINARY_DIR, ""));
  std::thread probe([] {
    try {
      probe_peers({PeerEntry{"caps-daemon-hang@fixture",
                             "fake",
                             "fixture",
                             {"bash", kFixture, "caps-daemon-hang", kToken},
                             "test"}},
                  std::chrono::milliseconds(1500));
    } catch (const CatalogError&) {
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  std::vector<std::map<std::string, std::string>> seen;
  std::istringstream running(pgrep("tlsmatrix-peer-jail .*" + kToken) +
                             pgrep("^tlsmatrix-fixture-" + kToken + " "));
  for (std::string pid; running >> pid;)
    if (auto s = status_of(pid); !s.empty()) seen.push_back(std::move(s));
  probe.join();
  // The jail's outer process and init, the peer and its daemon.
  EXPECT_GE(seen.size(), 4u);
  for (const auto& s : seen) {
    EXPECT_NE(s.at("Uid").substr(0, s.at("Uid").find('\t')), "0") << s.at("Name");
    EXPECT_EQ(s.at("CapEff"), "0000000000000000") << s.at("Name");
    EXPECT_EQ(s.at("CapPrm"), "0000000000000000") << s.at("Name");
    EXPECT_EQ(s.at("CapBnd"), "0000000000000000") << s.at("Name");
  }
  EXPECT_FALSE(leftovers());
}

// The runner itself killed with SIGKILL while it probes a peer that daemonized: nothing of
// the peer survives (PDEATHSIG from the runner to the jail, from the jail to its namespace).
TEST(PeerJail, RunnerKilledWithSigkillLeavesNoPeer) {
  const std::string catalog = ::testing::TempDir() + "/jail-test-" + kToken + ".json";
  std::ofstream(catalog) << R"({"schema":"tlsmatrix-peer-catalog","schema_version":1,"peers":[)"
                         << R"({"id":"daemon@fixture","stack":"fake","command":["bash",")"
                         << kFixture << R"(","caps-daemon-hang",")" << kToken << R"("]}]})";
  const std::string runner = std::string(TLSMATRIX_BINARY_DIR) + "/tlsmatrix";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(runner.c_str(), runner.c_str(), "peers", "--only-catalogs", "--catalog",
            catalog.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!leftovers() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the daemon too
  const bool started = leftovers();
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::remove(catalog.c_str());
  ASSERT_TRUE(started) << "the peer never started";
  EXPECT_FALSE(leftovers()) << "a peer outlived the runner:\n"
                            << pgrep("^tlsmatrix-fixture-" + kToken + " ");
}

}  // namespace
}  // namespace tlsmatrix
