// peers/PROTOCOL.md is what a vendor implements a peer from, so its feature table must say
// exactly what the typed table in peers/protocol/features.cpp says: same names, same meanings.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "features.hpp"

namespace tlsmatrix {
namespace {

// The rows `| `name` | meaning |` of the table under the "#### Features" heading.
std::map<std::string, std::string> documented_features() {
  std::ifstream doc(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "peers" / "PROTOCOL.md");
  std::map<std::string, std::string> rows;
  std::string line;
  bool in_section = false;
  while (std::getline(doc, line)) {
    if (line.starts_with("#")) in_section = line == "#### Features";
    if (!in_section || !line.starts_with("| `")) continue;
    const auto name_end = line.find("` |", 3);
    if (name_end == std::string::npos) continue;
    const auto meaning_start = name_end + 4;
    const auto meaning_end = line.rfind(" |");
    rows[line.substr(3, name_end - 3)] = line.substr(meaning_start, meaning_end - meaning_start);
  }
  return rows;
}

TEST(ProtocolDoc, FeatureTableMatchesTheTypedTable) {
  std::map<std::string, std::string> typed;
  for (const auto& f : feature_table()) typed[std::string(f.name)] = std::string(f.meaning);
  EXPECT_EQ(documented_features(), typed);
}

}  // namespace
}  // namespace tlsmatrix
