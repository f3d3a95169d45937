// A condition on a peer's library version, as written in a known-deviations file: a glob
// ("5.5.*") or comparisons_ joined by commas (">= 3.0, < 3.5"), compared as dotted numbers.
#pragma once

#include <string>
#include <vector>

namespace tlsmatrix {

class VersionConstraint {
 public:
  // Throws std::invalid_argument saying what is wrong with `text`.
  explicit VersionConstraint(const std::string& text);
  bool matches(const std::string& version) const;
  const std::string& text() const { return text_; }

 private:
  struct Comparison {
    std::string op;  // <, <=, >, >=, ==
    std::vector<long> bound;
  };
  std::string text_;
  std::string glob_;  // set when the constraint is a glob
  std::vector<Comparison> comparisons_;
};

}  // namespace tlsmatrix
