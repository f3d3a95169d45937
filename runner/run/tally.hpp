// Counting cells by status per suite and per (client, server) pair: the numbers behind the
// terminal table, summary.md and the totals in matrix.json.
#pragma once

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cell_result.hpp"

namespace tlsmatrix {

struct Tally {
  std::array<std::size_t, 5> by_status{};  // indexed by Status
  std::size_t unexpected = 0;              // cells whose verdict misses their expected result
  std::size_t total() const;
  std::size_t operator[](Status s) const { return by_status[static_cast<std::size_t>(s)]; }
  void add(const CellResult& cell);
  // "9/9", "7/9 1F 1U", "7/9 1F 1U !1": passes over cells, then the other statuses by
  // initial, then the unexpected cells after '!'.
  std::string compact() const;
};

inline constexpr std::array kAllStatuses = {Status::pass, Status::deviation, Status::fail,
                                            Status::unsupported, Status::error};

using PairKey = std::pair<std::string, std::string>;  // client id, server id

struct SuiteTally {
  Tally total;
  std::map<PairKey, Tally> pairs;
};

std::map<std::string, SuiteTally> tally_by_suite(const std::vector<CellResult>& cells);
Tally tally_all(const std::vector<CellResult>& cells);

}  // namespace tlsmatrix
