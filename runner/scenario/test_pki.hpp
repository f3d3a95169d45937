// The committed test PKI (suites/pki/): scenarios name certificates and trust anchors, the
// loader inlines the PEM so peers never read files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "endpoint_config.hpp"

namespace tlsmatrix {

class TestPki {
 public:
  explicit TestPki(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // NAME.crt and NAME.key; throws std::invalid_argument naming what is missing.
  CertifiedKey certified_key(const std::string& name) const;
  // The concatenated NAME.crt of each name.
  std::string trust_anchors(const std::vector<std::string>& names) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::string read(const std::string& file) const;
  std::filesystem::path dir_;
};

}  // namespace tlsmatrix
