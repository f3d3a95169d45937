#include "known_deviations.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "yaml_document.hpp"

namespace tlsmatrix {
namespace {

constexpr const char* kFileSchemaVersion = "1";

// Carries the file name so every error says FILE:LINE:COLUMN, like the suite loader.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    throw ExpectationsError(fmt::format("{}: {}", yaml_place(file_, at), what));
  }

  std::vector<KnownDeviation> file(const YAML::Node& root) const {
    if (!root.IsMap())
      fail(root, "a known-deviations file is a mapping with schema_version, stack and deviations");
    allow_keys(root, {"schema_version", "stack", "deviations"});
    if (scalar(required(root, "schema_version"), "schema_version") != kFileSchemaVersion)
      fail(root["schema_version"], "unsupported schema_version (this runner reads version 1)");
    const auto stack = scalar(required(root, "stack"), "stack");
    const auto list = required(root, "deviations");
    if (!list.IsSequence()) fail(list, "deviations must be a list (it may be empty: [])");
    std::vector<KnownDeviation> out;
    for (const auto& node : list) out.push_back(entry(node, stack));
    return out;
  }

 private:
  KnownDeviation entry(const YAML::Node& node, const std::string& stack) const {
    if (!node.IsMap())
      fail(node, "each deviation is a mapping with cells, status, reason and reference");
    allow_keys(node,
               {"cells", "role", "version", "status", "reason", "reason_contains", "reference"});
    KnownDeviation d;
    d.stack = stack;
    d.source = fmt::format("{}:{}", file_, node.Mark().line + 1);
    d.cells = texts(required(node, "cells"), "cells");
    if (const auto role = node["role"]) {
      const auto text = scalar(role, "role");
      if (text == "client")
        d.role = StackRole::client;
      else if (text == "server")
        d.role = StackRole::server;
      else if (text == "either")
        d.role = StackRole::either;
      else
        fail(role, fmt::format("role '{}': one of client, server, either", text));
    }
    if (const auto version = node["version"]) {
      try {
        d.version.emplace(scalar(version, "version"));
      } catch (const std::invalid_argument& e) {
        fail(version, fmt::format("version: {}", e.what()));
      }
    }
    d.status = status(required(node, "status"));
    d.reason = scalar(required(node, "reason"), "reason");
    if (const auto contains = node["reason_contains"])
      d.reason_contains = texts(contains, "reason_contains");
    d.reference = scalar(required(node, "reference"), "reference");
    return d;
  }

  Status status(const YAML::Node& node) const {
    const auto text = scalar(node, "status");
    for (auto s : {Status::deviation, Status::fail, Status::unsupported})
      if (text == status_name(s)) return s;
    if (text == status_name(Status::pass))
      fail(node, "status pass needs no entry: every cell no entry matches is expected to pass");
    if (text == status_name(Status::error))
      fail(node, "status error cannot be expected: it means the result cannot be trusted");
    fail(node, fmt::format("status '{}': one of deviation, fail, unsupported", text));
  }

  // One string or a non-empty list of strings.
  std::vector<std::string> texts(const YAML::Node& node, const char* key) const {
    if (node.IsScalar()) return {scalar(node, key)};
    if (!node.IsSequence() || node.size() == 0)
      fail(node, fmt::format("{} is a string or a non-empty list of strings", key));
    std::vector<std::string> out;
    for (const auto& item : node) out.push_back(scalar(item, key));
    return out;
  }

  std::string scalar(const YAML::Node& node, const char* key) const {
    if (!node.IsScalar() || node.Scalar().empty())
      fail(node, fmt::format("{} must be a non-empty string", key));
    return node.Scalar();
  }

  YAML::Node required(const YAML::Node& map, const char* key) const {
    const auto node = map[key];
    if (!node) fail(map, fmt::format("missing '{}'", key));
    return node;
  }

  void allow_keys(const YAML::Node& map, std::initializer_list<std::string> keys) const {
    for (const auto& kv : map) {
      const auto key = yaml_key(kv.first, file_);
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        fail(kv.first, fmt::format("unknown key '{}'", key));
    }
  }

  std::string file_;
};

bool peer_matches(const KnownDeviation& d, const Peer& peer) {
  return peer.entry.stack == d.stack &&
         (!d.version || d.version->matches(peer.capabilities.version));
}

bool matches(const KnownDeviation& d, const std::string& cell_id, const Peer& client,
             const Peer& server) {
  const bool cell = std::any_of(d.cells.begin(), d.cells.end(), [&](const std::string& glob) {
    return ::fnmatch(glob.c_str(), cell_id.c_str(), 0) == 0;
  });
  if (!cell) return false;
  switch (d.role) {
    case StackRole::client:
      return peer_matches(d, client);
    case StackRole::server:
      return peer_matches(d, server);
    case StackRole::either:
      return peer_matches(d, client) || peer_matches(d, server);
  }
  return false;
}

std::string joined(const std::string& a, const std::string& b) {
  return a.empty() ? b : (a == b ? a : a + "; " + b);
}

}  // namespace

void KnownDeviations::add_text(const std::string& text, const std::string& file_name) {
  std::vector<KnownDeviation> added;
  try {
    added = Reader(file_name).file(parse_yaml_document(text, file_name));
  } catch (const YamlInputError& e) {
    throw ExpectationsError(e.what());
  } catch (const YAML::Exception& e) {  // a conversion the reader did not foresee
    throw ExpectationsError(
        fmt::format("{}:{}:{}: {}", file_name, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  for (auto& d : added) entries_.push_back(std::move(d));
}

void KnownDeviations::add_file(const std::filesystem::path& file) {
  std::string text;
  try {
    text = read_input_file(file, "known-deviations file");
  } catch (const YamlInputError& e) {
    throw ExpectationsError(e.what());
  }
  add_text(text, file.string());
}

ExpectedResult KnownDeviations::expected_for(const std::string& cell_id, const Peer& client,
                                             const Peer& server) const {
  ExpectedResult out;
  const KnownDeviation* first = nullptr;
  for (const auto& d : entries_) {
    if (!matches(d, cell_id, client, server)) continue;
    if (first && first->status != d.status)
      throw ExpectationsError(
          fmt::format("cell {}: {} expects {} but {} expects {}; narrow one of them", cell_id,
                      first->source, status_name(first->status), d.source, status_name(d.status)));
    if (!first) first = &d;
    out.status = d.status;
    out.source = joined(out.source, d.source);
    out.reason = joined(out.reason, d.reason);
    out.reference = joined(out.reference, d.reference);
    for (const auto& text : d.reason_contains) out.reason_contains.push_back(text);
  }
  return out;
}

std::vector<std::filesystem::path> stack_deviation_files(const std::filesystem::path& source_dir) {
  std::vector<std::filesystem::path> files;
  const auto adapters = source_dir / "adapters";
  if (!std::filesystem::is_directory(adapters)) return files;
  for (const auto& dir : std::filesystem::directory_iterator(adapters))
    if (const auto file = dir.path() / "known-deviations.yaml"; std::filesystem::exists(file))
      files.push_back(file);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace tlsmatrix
