// The fact table (runner/facts/fact_table.cpp) is the one definition of every fact: the suite
// format's documentation must list exactly its rows, and its typing reaches matrix.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "fact.hpp"

namespace tlsmatrix {
namespace {

std::string use_text(FactUse use) {
  switch (use) {
    case FactUse::expect_and_record:
      return "expect, record";
    case FactUse::expect_only:
      return "expect";
    case FactUse::record_only:
      return "record";
  }
  return "?";
}

// The rows of the table under the "## Facts" heading of suites/README.md, by fact name.
std::map<std::string, std::string> documented_facts() {
  std::ifstream doc(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites" / "README.md");
  std::map<std::string, std::string> rows;
  std::string line;
  bool in_section = false;
  while (std::getline(doc, line)) {
    if (line.starts_with("## ")) in_section = line.starts_with("## Facts");
    if (!in_section || !line.starts_with("| `")) continue;
    const auto name_end = line.find("` |", 3);
    if (name_end == std::string::npos) continue;
    rows[line.substr(3, name_end - 3)] = line;
  }
  return rows;
}

TEST(FactTable, SuiteDocumentationListsEveryRowAsTheTableSaysIt) {
  std::map<std::string, std::string> typed;
  for (const auto& f : fact_table())
    typed[f.name] = std::string("| `") + f.name + "` | " + f.values + " | " + f.read_from + " | " +
                    use_text(f.use) + " |";
  EXPECT_EQ(documented_facts(), typed);
}

TEST(FactTable, NamesAreUniqueAndFound) {
  for (const auto& f : fact_table()) {
    ASSERT_TRUE(fact_by_name(f.name).has_value()) << f.name;
    EXPECT_EQ(*fact_by_name(f.name), f.fact);
    EXPECT_STREQ(fact_name(f.fact), f.name);
  }
  EXPECT_FALSE(fact_by_name("grup").has_value());
}

TEST(FactTable, ValuesAreTypedByKind) {
  EXPECT_TRUE(valid_fact_value(Fact::group, "X25519MLKEM768"));
  EXPECT_FALSE(valid_fact_value(Fact::group, "x25519mlkem"));
  EXPECT_TRUE(valid_fact_value(Fact::hello_retry_request, "false"));
  EXPECT_FALSE(valid_fact_value(Fact::hello_retry_request, "no"));
  EXPECT_FALSE(valid_fact_value(Fact::handshake, "stalled"));  // observed, never expected
  EXPECT_EQ(fact_json(Fact::client_hello_bytes, "1234"), nlohmann::json(1234));
  EXPECT_EQ(fact_json(Fact::psk_used, "true"), nlohmann::json(true));
  EXPECT_EQ(fact_json(Fact::group, "x25519"), nlohmann::json("x25519"));
  EXPECT_TRUE(fact_json(Fact::group, "unknown").is_null());
  EXPECT_TRUE(fact_json(Fact::psk_mode, "none").is_null());
}

}  // namespace
}  // namespace tlsmatrix
