#include "expected_result.hpp"

#include <algorithm>

namespace tlsmatrix {

bool meets(const ExpectedResult& expected, const Verdict& verdict) {
  return verdict.status == expected.status &&
         std::all_of(expected.reason_contains.begin(), expected.reason_contains.end(),
                     [&](const std::string& text) {
                       return verdict.reason.find(text) != std::string::npos;
                     });
}

nlohmann::json to_json(const ExpectedResult& expected) {
  const auto text_or_null = [](const std::string& s) {
    return s.empty() ? nlohmann::json() : nlohmann::json(s);
  };
  nlohmann::json out = {{"status", status_name(expected.status)},
                        {"source", text_or_null(expected.source)},
                        {"reason", text_or_null(expected.reason)},
                        {"reference", text_or_null(expected.reference)}};
  if (!expected.reason_contains.empty()) out["reason_contains"] = expected.reason_contains;
  return out;
}

}  // namespace tlsmatrix
