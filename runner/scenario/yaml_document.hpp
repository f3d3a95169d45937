// The one way the runner reads a YAML input (suite files, known-deviations files): files are
// hostile until checked. Limits: 1 MiB per file, 100 000 nodes per document with an alias
// counted at every use (so nested aliases, "billion laughs", stop at the budget instead of
// being expanded by whatever walks them), UTF-8 only, scalar and unique mapping keys. Every
// error reads "FILE:LINE:COLUMN: what is wrong" (or "FILE: ..." for the file as a whole).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tlsmatrix {

class YamlInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxYamlFileBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxYamlNodes = 100000;

// The bytes of a regular file of at most kMaxYamlFileBytes. Anything else (a FIFO, a device,
// a folder) is refused by its type before it is opened, so reading never blocks.
// `what` names the file's role in messages, e.g. "suite file".
std::string read_input_file(const std::filesystem::path& file, std::string_view what);

// Parses `text` after checking its size and that it is UTF-8 (the first bad byte is named by
// line and column), then walks the document once within the node budget, checking that every
// mapping key is a scalar named once (a second one names both lines) and that every value is
// UTF-8 once escapes are decoded.
YAML::Node parse_yaml_document(std::string_view text, const std::string& file_name);

// "FILE:LINE:COLUMN" of a node.
std::string yaml_place(const std::string& file_name, const YAML::Node& node);

// Checked conversions: a failure names file, line, column and `field`.
std::string yaml_key(const YAML::Node& key, const std::string& file_name);
std::uint64_t yaml_unsigned(const YAML::Node& node, const std::string& file_name,
                            std::string_view field, std::uint64_t min, std::uint64_t max);

}  // namespace tlsmatrix
