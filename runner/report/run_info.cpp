#include "run_info.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

namespace tlsmatrix {

namespace {

std::string first_value(const char* file, const std::string& key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) {
      auto v = line.substr(line.find_first_of(":=") + 1);
      v.erase(0, v.find_first_not_of(" \t\""));
      while (!v.empty() && (v.back() == '"' || v.back() == ' ')) v.pop_back();
      return v;
    }
  return "";
}

}  // namespace

nlohmann::json host_info() {
  utsname u{};
  ::uname(&u);
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  const auto pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  return {
      {"hostname", hostname},
      {"os", first_value("/etc/os-release", "PRETTY_NAME")},
      {"kernel", fmt::format("{} {}", u.sysname, u.release)},
      {"arch", u.machine},
      {"cpu", first_value("/proc/cpuinfo", "model name")},
      {"cpus", std::thread::hardware_concurrency()},
      {"memory_bytes", static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size)}};
}

std::string utc_timestamp() {
  return fmt::format(
      "{:%Y-%m-%dT%H:%M:%SZ}",
      fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

std::string new_run_id() {
  // 32 random bits: parallel shards started in the same second rarely draw the same id, and
  // ResultsWriter draws again when they do.
  std::random_device rd;
  return fmt::format(
      "{:%Y%m%dT%H%M%SZ}-{:08x}",
      fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())),
      static_cast<std::uint32_t>(rd()));
}

}  // namespace tlsmatrix
