#include "yaml_document.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <vector>

#include "utf8_text.hpp"

namespace tlsmatrix {
namespace {

[[noreturn]] void fail_at(const std::string& file, const YAML::Node& node,
                          const std::string& what) {
  throw YamlInputError(fmt::format("{}: {}", yaml_place(file, node), what));
}

// Line and column (both from 1, the column in characters) of byte `offset`, all of whose
// preceding bytes are valid UTF-8.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

void check_utf8(std::string_view text, const std::string& file) {
  const auto bad = first_invalid_utf8(text);
  if (!bad) return;
  const auto [line, column] = line_column(text, *bad);
  throw YamlInputError(fmt::format("{}:{}:{}: byte 0x{:02x} is not UTF-8 (save the file as UTF-8)",
                                   file, line, column, static_cast<unsigned char>(text[*bad])));
}

// One pass over the document as a reader would see it (an alias is walked at each use), so
// the budget bounds every later walk too. Iterative: the depth is yaml-cpp's to limit.
void inspect(const YAML::Node& root, const std::string& file) {
  std::vector<YAML::Node> todo{root};
  std::size_t nodes = 0;
  while (!todo.empty()) {
    const YAML::Node node = todo.back();
    todo.pop_back();
    if (++nodes > kMaxYamlNodes)
      fail_at(file, node,
              fmt::format("more than {} YAML nodes (an alias counts at each use); refusing to "
                          "expand further",
                          kMaxYamlNodes));
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        if (first_invalid_utf8(node.Scalar()))
          fail_at(file, node, "the value is not UTF-8 once its escapes are decoded");
        break;
      case YAML::NodeType::Sequence:
        for (const auto& item : node) todo.push_back(item);
        break;
      case YAML::NodeType::Map: {
        std::map<std::string, std::size_t, std::less<>> lines;
        for (const auto& kv : node) {
          const auto key = yaml_key(kv.first, file);
          const auto line = static_cast<std::size_t>(kv.first.Mark().line) + 1;
          if (const auto [it, fresh] = lines.emplace(key, line); !fresh)
            fail_at(file, kv.first,
                    fmt::format("duplicate key '{}' (line {} has it already; one would silently "
                                "win)",
                                escaped_bytes(key), it->second));
          ++nodes;
          todo.push_back(kv.second);
        }
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace

std::string yaml_place(const std::string& file_name, const YAML::Node& node) {
  const auto mark = node.Mark();
  return fmt::format("{}:{}:{}", file_name, mark.line + 1, mark.column + 1);
}

std::string read_input_file(const std::filesystem::path& file, std::string_view what) {
  const auto name = escaped_bytes(file.string());
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec) throw YamlInputError(fmt::format("{}: cannot open {}: {}", name, what, ec.message()));
  if (!std::filesystem::is_regular_file(status))
    throw YamlInputError(fmt::format("{}: not a regular file; a {} is", name, what));
  // O_NONBLOCK: if the name was swapped for a FIFO since, opening does not wait for a writer.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    throw YamlInputError(fmt::format("{}: cannot open {}: {}", name, what, std::strerror(errno)));
  std::string text;
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  const auto too_big = [&](std::size_t bytes) {
    return YamlInputError(fmt::format("{}: {} bytes, more than the {} a {} may have", name, bytes,
                                      kMaxYamlFileBytes, what));
  };
  if (!regular) {
    ::close(fd);
    throw YamlInputError(fmt::format("{}: not a regular file; a {} is", name, what));
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxYamlFileBytes) {
    ::close(fd);
    throw too_big(static_cast<std::size_t>(st.st_size));
  }
  char buffer[65536];
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw YamlInputError(fmt::format("{}: cannot read {}: {}", name, what, std::strerror(err)));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxYamlFileBytes) {  // it grew while being read
      ::close(fd);
      throw too_big(text.size());
    }
  }
  ::close(fd);
  return text;
}

YAML::Node parse_yaml_document(std::string_view text, const std::string& file_name) {
  if (text.size() > kMaxYamlFileBytes)
    throw YamlInputError(fmt::format("{}: {} bytes, more than the {} a YAML input may have",
                                     file_name, text.size(), kMaxYamlFileBytes));
  check_utf8(text, file_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw YamlInputError(fmt::format("{}:{}:{}: YAML syntax error: {}", file_name, e.mark.line + 1,
                                     e.mark.column + 1, e.msg));
  }
  inspect(root, file_name);
  return root;
}

std::string yaml_key(const YAML::Node& key, const std::string& file_name) {
  if (!key.IsScalar())
    fail_at(file_name, key, "a key must be a plain name, not a list or a mapping");
  return key.Scalar();
}

std::uint64_t yaml_unsigned(const YAML::Node& node, const std::string& file_name,
                            std::string_view field, std::uint64_t min, std::uint64_t max) {
  const std::string text = node.IsScalar() ? node.Scalar() : std::string();
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max)
    fail_at(file_name, node,
            fmt::format("{}: '{}' is not a whole number in {}..{}", field,
                        escaped_bytes(text.substr(0, 40)), min, max));
  return value;
}

}  // namespace tlsmatrix
