#include "test_pki.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tlsmatrix {

std::string TestPki::read(const std::string& file) const {
  const auto path = dir_ / file;
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(fmt::format("no such PKI file {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CertifiedKey TestPki::certified_key(const std::string& name) const {
  return {read(name + ".crt"), read(name + ".key")};
}

std::string TestPki::trust_anchors(const std::vector<std::string>& names) const {
  std::string pem;
  for (const auto& name : names) pem += read(name + ".crt");
  return pem;
}

}  // namespace tlsmatrix
