#include "version_constraint.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace tlsmatrix {
namespace {

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

// "3.5.1" -> {3, 5, 1}; stops at the first part that does not start with a digit, so
// "5.9.2-custom" and "3.0.0-beta" compare by their numbers.
std::vector<long> dotted_numbers(const std::string& version) {
  std::vector<long> parts;
  std::size_t i = 0;
  while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i]))) {
    long n = 0;
    while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i])))
      n = n * 10 + (version[i++] - '0');
    parts.push_back(n);
    if (i < version.size() && version[i] == '.') ++i;
  }
  return parts;
}

// Missing trailing parts count as 0, so "3.5" == "3.5.0".
int compare(std::vector<long> a, std::vector<long> b) {
  const auto size = std::max(a.size(), b.size());
  a.resize(size);
  b.resize(size);
  return a < b ? -1 : (a == b ? 0 : 1);
}

}  // namespace

VersionConstraint::VersionConstraint(const std::string& text) : text_(trimmed(text)) {
  if (text_.empty()) throw std::invalid_argument("version is empty");
  if (text_.find_first_of("<>=") == std::string::npos) {
    glob_ = text_;
    return;
  }
  std::istringstream parts(text_);
  std::string part;
  while (std::getline(parts, part, ',')) {
    part = trimmed(part);
    const auto op_end = part.find_first_not_of("<>=");
    Comparison c{part.substr(0, op_end), {}};
    if (c.op != "<" && c.op != "<=" && c.op != ">" && c.op != ">=" && c.op != "==")
      throw std::invalid_argument(
          fmt::format("'{}': each comparison is <, <=, >, >= or == and a version", part));
    const auto bound = op_end == std::string::npos ? "" : trimmed(part.substr(op_end));
    c.bound = dotted_numbers(bound);
    if (c.bound.empty() || bound.find_first_not_of("0123456789.") != std::string::npos)
      throw std::invalid_argument(fmt::format("'{}': the bound must be a dotted number", part));
    comparisons_.push_back(std::move(c));
  }
}

bool VersionConstraint::matches(const std::string& version) const {
  if (!glob_.empty()) return ::fnmatch(glob_.c_str(), version.c_str(), 0) == 0;
  const auto numbers = dotted_numbers(version);
  if (numbers.empty()) return false;  // an unnumbered version never satisfies a comparison
  for (const auto& c : comparisons_) {
    const int r = compare(numbers, c.bound);
    const bool holds = c.op == "<"    ? r < 0
                       : c.op == "<=" ? r <= 0
                       : c.op == ">"  ? r > 0
                       : c.op == ">=" ? r >= 0
                                      : r == 0;
    if (!holds) return false;
  }
  return true;
}

}  // namespace tlsmatrix
