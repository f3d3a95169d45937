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
  return text;
}

std::map<std::string, SuiteTally> tally_by_suite(const std::vector<CellResult>& cells) {
  std::map<std::string, SuiteTally> out;
  for (const auto& c : cells) {
    auto& suite = out[c.suite->id];
    suite.total.add(c.verdict.status);
    suite.pairs[{c.client->entry.id, c.server->entry.id}].add(c.verdict.status);
  }
  return out;
}

Tally tally_all(const std::vector<CellResult>& cells) {
  Tally t;
  for (const auto& c : cells) t.add(c.verdict.status);
  return t;
}

}  // namespace tlsmatrix
