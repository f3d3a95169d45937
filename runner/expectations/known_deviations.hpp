// Known deviations: per TLS stack, which cells are expected to give something other than
// `pass`, and why (in the spirit of BoGo's per-shim config.json). Files are
// adapters/<stack>/known-deviations.yaml plus any passed with --expectations; the format is
// documented in results/README.md. Every cell no entry matches is expected
// to pass.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "expected_result.hpp"
#include "peer_catalog.hpp"
#include "version_constraint.hpp"

namespace tlsmatrix {

class ExpectationsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class StackRole { client, server, either };

struct KnownDeviation {
  std::string stack;               // the file's stack: a peer of it must take `role`
  std::vector<std::string> cells;  // globs on cell ids suite/scenario/client->server
  StackRole role = StackRole::either;
  std::optional<VersionConstraint> version;  // on that peer's library version
  Status status = Status::pass;
  std::string reason;
  std::vector<std::string> reason_contains;
  std::string reference;  // a URL, or "not reported upstream"
  std::string source;     // "file:line"
};

class KnownDeviations {
 public:
  void add_file(const std::filesystem::path& file);
  void add_text(const std::string& text, const std::string& file_name);
  const std::vector<KnownDeviation>& entries() const { return entries_; }

  // What the cell should give. Two matching entries with different statuses are an
  // ExpectationsError naming both.
  ExpectedResult expected_for(const std::string& cell_id, const Peer& client,
                              const Peer& server) const;

 private:
  std::vector<KnownDeviation> entries_;
};

// adapters/*/known-deviations.yaml under the source tree, sorted.
std::vector<std::filesystem::path> stack_deviation_files(const std::filesystem::path& source_dir);

}  // namespace tlsmatrix
