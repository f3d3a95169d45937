#include "trimmed_matrix.hpp"

#include <initializer_list>

namespace tlsmatrix {
namespace {

using nlohmann::json;

json only(const json& object, std::initializer_list<const char*> keys) {
  json out = json::object();
  for (const auto* key : keys)
    if (object.contains(key)) out[key] = object[key];
  return out;
}

}  // namespace

json trimmed_matrix(const json& matrix) {
  auto out = only(matrix, {"schema", "schema_version", "peer_protocol", "suites", "totals"});
  out["trimmed"] = true;
  out["run"] = only(matrix["run"], {"complete", "tlsmatrix_version", "known_deviation_files"});
  out["peers"] = json::array();
  for (const auto& p : matrix["peers"])
    out["peers"].push_back(only(p, {"id", "stack", "environment", "library", "library_version"}));
  out["cells"] = json::array();
  for (const auto& c : matrix["cells"])
    out["cells"].push_back(only(c, {"id", "suite", "scenario", "client", "server", "status",
                                    "reason", "expected", "match", "observations", "missing"}));
  return out;
}

}  // namespace tlsmatrix
