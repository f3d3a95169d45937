// Peer catalog files that are valid JSON but not a catalog: an error naming the file, the
// entry and the field, never the JSON library's text alone (issue 8, finding 1); and the
// schema_version 2 "root" (finding 16).
#include "peer_catalog.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tlsmatrix {
namespace {

const std::string kCatalogs = std::string(TLSMATRIX_SOURCE_DIR) + "/tests/fixtures/catalogs/";

std::string load_error(const std::string& name) {
  try {
    load_catalog(kCatalogs + name);
  } catch (const CatalogError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(PeerCatalog, SchemaVersionOfTheWrongValueOrTypeIsNamed) {
  EXPECT_EQ(load_error("schema-version-7.json"),
            kCatalogs +
                "schema-version-7.json: expected schema tlsmatrix-peer-catalog, schema_version 1 "
                "or 2, got \"tlsmatrix-peer-catalog\" 7");
  EXPECT_NE(load_error("schema-version-huge.json").find(kCatalogs + "schema-version-huge.json: "),
            std::string::npos)
      << load_error("schema-version-huge.json");
  EXPECT_NE(load_error("schema-version-string.json").find("got \"tlsmatrix-peer-catalog\" \"1\""),
            std::string::npos)
      << load_error("schema-version-string.json");
}

TEST(PeerCatalog, FieldsOfTheWrongTypeAreNamedWithTheirEntry) {
  EXPECT_EQ(load_error("command-not-a-list.json"),
            kCatalogs +
                "command-not-a-list.json: peers[1]: 'command' must be a list of strings, got "
                "\"/bin/true\"");
  EXPECT_EQ(load_error("id-number.json"),
            kCatalogs + "id-number.json: peers[0]: 'id' must be a string, got 7");
  EXPECT_EQ(load_error("root-in-v1.json"),
            kCatalogs + "root-in-v1.json: peers[0]: 'root' needs schema_version 2");
}

TEST(PeerCatalog, RootOfVersion2AndChrootPrefixOfVersion1) {
  for (const auto* name : {"root-v2.json", "chroot-prefix-v1.json"}) {
    const auto entries = load_catalog(kCatalogs + name);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].root, "/srv/root") << name;
    EXPECT_EQ(entries[0].command, std::vector<std::string>{"/peer"}) << name;
  }
}

}  // namespace
}  // namespace tlsmatrix
