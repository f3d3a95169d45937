#include "tally.hpp"

#include <fmt/format.h>

namespace tlsmatrix {

std::size_t Tally::total() const {
  std::size_t n = 0;
  for (auto c : by_status) n += c;
  return n;
}

std::string Tally::compact() const {
  auto text = fmt::format("{}/{}", (*this)[Status::pass], total());
  for (auto s : {Status::deviation, Status::fail, Status::unsupported, Status::error})
    if ((*this)[s])
      text += fmt::format(" {}{}", (*this)[s], static_cast<char>(std::toupper(status_name(s)[0])));
  if (unexpected) text += fmt::format(" !{}", unexpected);
  return text;
}

void Tally::add(const CellResult& cell) {
  ++by_status[static_cast<std::size_t>(cell.verdict.status)];
  unexpected += as_expected(cell) ? 0 : 1;
}

std::map<std::string, SuiteTally> tally_by_suite(const std::vector<CellResult>& cells) {
  std::map<std::string, SuiteTally> out;
  for (const auto& c : cells) {
    auto& suite = out[c.suite->id];
    suite.total.add(c);
    suite.pairs[{c.client->entry.id, c.server->entry.id}].add(c);
  }
  return out;
}

Tally tally_all(const std::vector<CellResult>& cells) {
  Tally t;
  for (const auto& c : cells) t.add(c);
  return t;
}

}  // namespace tlsmatrix
