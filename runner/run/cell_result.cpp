#include "cell_result.hpp"

#include <fmt/format.h>

namespace tlsmatrix {

using nlohmann::json;

std::string cell_id(const Suite& suite, const Scenario& scenario, const Peer& client,
                    const Peer& server) {
  return fmt::format("{}/{}/{}->{}", suite.id, scenario.id, client.entry.id, server.entry.id);
}

bool as_expected(const CellResult& cell) {
  return meets(cell.expected, cell.verdict);
}

json to_json(const CellResult& c, const json& log_files) {
  json checks = json::array();
  for (const auto& r : c.verdict.checks) {
    const auto& e = *r.expectation;
    json check = {{"fact", fact_name(e.fact)},
                  {"expected", e.any_of},
                  {"observed", r.observed},
                  {"result", r.result},
                  {"cite", e.cite},
                  {"on_mismatch", severity_name(e.on_mismatch)}};
    if (!e.from.empty()) check["from"] = e.from;
    if (c.scenario->connections() > 1) check["connection"] = r.connection;
    checks.push_back(std::move(check));
  }
  json out = {
      {"id", c.id},
      {"suite", c.suite->id},
      {"scenario", c.scenario->id},
      {"client", c.client->entry.id},
      {"server", c.server->entry.id},
      {"status", status_name(c.verdict.status)},
      {"reason", c.verdict.reason},
      {"expected", to_json(c.expected)},
      {"match", as_expected(c) ? "expected" : "unexpected"},
      {"checks", checks},
      {"observations", c.verdict.observations},
      {"security", c.verdict.security ? to_json(*c.verdict.security) : nlohmann::json(nullptr)},
      {"client_outcome", c.client_outcome},
      {"server_outcome", c.server_outcome},
      {"wire", c.wire},
      {"fact_sources", c.fact_sources},
      {"harness",
       {{"client_exit", c.client_exit}, {"server_exit", c.server_exit}, {"logs", log_files}}},
      {"timings",
       {{"wall_ms", c.wall_ms},
        {"client_handshake_ms", c.client_handshake_ms},
        {"server_handshake_ms", c.server_handshake_ms}}},
  };
  if (!c.later_connections.empty()) out["later_connections"] = c.later_connections;
  if (!c.attack.is_null()) out["attack"] = c.attack;
  if (c.verdict.status == Status::unsupported)
    out["missing"] = {{"client", c.client_missing}, {"server", c.server_missing}};
  return out;
}

}  // namespace tlsmatrix
