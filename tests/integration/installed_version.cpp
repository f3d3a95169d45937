#include "installed_version.hpp"

#include <cstdio>
#include <memory>
#include <regex>

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

// "2:3.110-1+deb13u5" -> "3.110", "3.13.0+dfsg-1" -> "3.13.0": no epoch, no Debian revision,
// no repack suffix (+dfsg, ~ds1: Debian's mark of a tarball with files removed).
std::string upstream(const std::string& debian_version) {
  static const std::regex kRepack(R"([+~](dfsg|ds)[0-9.]*$)");
  const auto colon = debian_version.find(':');
  auto v = debian_version.substr(colon == std::string::npos ? 0 : colon + 1);
  return std::regex_replace(v.substr(0, v.rfind('-')), kRepack, "");
}

std::string package_version(const std::filesystem::path& root, const std::string& file) {
  const auto dpkg = "dpkg-query --admindir='" + (root / "var/lib/dpkg").string() + "' ";
  // "libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3". With merged /usr, dpkg may know
  // the file only under the other of its two paths.
  const auto owner = [&](const std::string& path) {
    return shell(dpkg + "-S '" + path + "' 2>/dev/null | head -n1 | sed 's/: .*//'");
  };
  auto package = owner(file);
  if (package.empty() && file.starts_with("/usr/")) package = owner(file.substr(4));
  if (package.empty() && !file.starts_with("/usr/")) package = owner("/usr" + file);
  if (package.empty()) return "";
  return upstream(shell(dpkg + "-W -f='${Version}' '" + package + "' 2>/dev/null"));
}

std::string source_version(const std::filesystem::path& download) {
  static const std::regex kOrigTarball(R"([a-z0-9.+-]+_([0-9][^_]*)\.orig\.tar\.[a-z0-9]+)");
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(download, ec)) {
    std::smatch m;
    const auto name = entry.path().filename().string();
    if (std::regex_match(name, m, kOrigTarball)) return m[1];
  }
  return "";
}

}  // namespace

std::string installed_upstream_version(const std::filesystem::path& root, const std::string& file,
                                       const std::filesystem::path& source_download) {
  if (auto version = package_version(root, file); !version.empty()) return version;
  return source_download.empty() ? "" : source_version(source_download);
}

}  // namespace tlsmatrix
