// Collects the parse notes of one direction, each prefixed with that direction's label, so a
// note reads on its own: "client->server: truncated record at offset 517".
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tlsmatrix::wire {

class NoteLog {
 public:
  explicit NoteLog(std::string_view label) : label_(label) {}

  template <typename... Args>
  void add(fmt::format_string<Args...> format, Args&&... args) {
    notes_.push_back(
        fmt::format("{}: {}", label_, fmt::format(format, std::forward<Args>(args)...)));
  }

  const std::vector<std::string>& notes() const { return notes_; }

 private:
  std::string label_;
  std::vector<std::string> notes_;
};

}  // namespace tlsmatrix::wire
