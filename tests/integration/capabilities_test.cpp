// Each peer's --capabilities must report the library version the system's package manager
// installed: the library is asked at run time, so this catches a peer linked against
// something else than the matrix claims.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "peer_catalog.hpp"

namespace tlsmatrix {
namespace {

std::string shell(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  std::string out;
  char buf[512];
  while (pipe && std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// The Debian version of the package owning the shared library `soname_prefix` that `binary`
// loads, e.g. "3.0.22-1~deb12u2".
std::string package_version_of(const std::string& binary, const std::string& soname_prefix) {
  const auto path =
      shell("ldd '" + binary + "' | awk '$1 ~ /^" + soname_prefix + "/ {print $3}' | head -n1");
  if (path.empty()) return "";
  // "libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3"; with merged /usr, dpkg may
  // know the file only under one of its two paths.
  const auto owner = [](const std::string& file) {
    return shell("dpkg-query -S '" + file + "' 2>/dev/null | head -n1 | sed 's/: .*//'");
  };
  auto package = owner(std::filesystem::canonical(path).string());
  if (package.empty()) package = owner(path);
  return shell("dpkg-query -W -f='${Version}' '" + package + "' 2>/dev/null");
}

// "3.0.22-1~deb12u2" -> "3.0.22"; "5.5.4-2+deb12u3" -> "5.5.4"
std::string upstream(const std::string& debian_version) {
  auto v = debian_version.substr(
      debian_version.find(':') == std::string::npos ? 0 : debian_version.find(':') + 1);
  return v.substr(0, v.rfind('-'));
}

TEST(Capabilities, VersionMatchesTheInstalledPackage) {
  const auto entries =
      load_catalog(std::filesystem::path(TLSMATRIX_BINARY_DIR) / "peers.catalog.json");
  const auto peers = probe_peers(entries, std::chrono::seconds(10));
  ASSERT_FALSE(peers.empty());
  const std::map<std::string, std::string> soname = {
      {"openssl", "libssl"}, {"wolfssl", "libwolfssl"}, {"gnutls", "libgnutls"}};
  for (const auto& peer : peers) {
    if (peer.entry.environment != "host") continue;
    SCOPED_TRACE(peer.entry.id);
    ASSERT_TRUE(soname.count(peer.capabilities.stack));
    const auto installed =
        package_version_of(peer.entry.command.front(), soname.at(peer.capabilities.stack));
    ASSERT_FALSE(installed.empty())
        << "no package owns the library " << peer.entry.command.front() << " loads";
    EXPECT_EQ(peer.capabilities.version, upstream(installed)) << "dpkg says " << installed;
    EXPECT_FALSE(peer.capabilities.groups.empty());
    EXPECT_FALSE(peer.capabilities.cipher_suites.empty());
  }
}

}  // namespace
}  // namespace tlsmatrix
