// What a cell is expected to give, and whether its verdict meets that: the `expected` and
// `match` fields of matrix.json (results/README.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "verdict.hpp"

namespace tlsmatrix {

struct ExpectedResult {
  Status status = Status::pass;
  // "file:line" of the known-deviation entry (several agreeing entries: joined by "; ");
  // empty when no entry matches and the cell is expected to pass.
  std::string source;
  std::string reason;
  std::string reference;
  std::vector<std::string> reason_contains;  // texts the cell's reason must each contain
};

// The status is the expected one and the reason contains every required text.
bool meets(const ExpectedResult& expected, const Verdict& verdict);
// The `expected` object of a cell; source, reason and reference are null for the default.
nlohmann::json to_json(const ExpectedResult& expected);

}  // namespace tlsmatrix
