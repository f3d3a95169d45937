#include "test_pki.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "yaml_document.hpp"

namespace tlsmatrix {
namespace {

// A scenario names a file of pki/ by its base name, nothing else: no folders, no "..", and
// (checked on the canonical path) no symbolic link that leads out of pki/.
void check_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    throw std::invalid_argument(fmt::format(
        "'{}' is not a name of suites/pki/ (a base name such as server-ecdsa-p256: no '/', "
        "no '..')",
        name));
}

bool inside(const std::filesystem::path& dir, const std::filesystem::path& path) {
  const auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end();
}

}  // namespace

std::string TestPki::read(const std::string& file) const {
  const auto path = dir_ / file;
  std::error_code ec;
  const auto canonical_dir = std::filesystem::canonical(dir_, ec);
  const auto canonical = ec ? path : std::filesystem::canonical(path, ec);
  if (ec) throw std::invalid_argument(fmt::format("no such PKI file {}", path.string()));
  if (!inside(canonical_dir, canonical))
    throw std::invalid_argument(fmt::format("{} leads outside {} (to {})", path.string(),
                                            dir_.string(), canonical.string()));
  try {
    return read_input_file(canonical, "PKI file");
  } catch (const YamlInputError& e) {
    throw std::invalid_argument(e.what());
  }
}

CertifiedKey TestPki::certified_key(const std::string& name) const {
  check_name(name);
  return {read(name + ".crt"), read(name + ".key")};
}

std::string TestPki::trust_anchors(const std::vector<std::string>& names) const {
  std::string pem;
  for (const auto& name : names) {
    check_name(name);
    pem += read(name + ".crt");
  }
  return pem;
}

}  // namespace tlsmatrix
