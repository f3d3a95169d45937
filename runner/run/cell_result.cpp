#include "cell_result.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "tally.hpp"

namespace tlsmatrix {

using nlohmann::json;

std::string cell_id(std::string_view suite, std::string_view scenario, std::string_view client,
                    std::string_view server) {
  return fmt::format("{}/{}/{}->{}", suite, scenario, client, server);
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

namespace {

[[noreturn]] void wrong(const std::string& where, const char* key, const char* what) {
  throw CellJsonError(fmt::format("{}'{}' {}", where, key, what));
}

const json& member(const json& object, const char* key, const std::string& where = "") {
  if (!object.is_object()) throw CellJsonError(fmt::format("{}is not a JSON object", where));
  const auto it = object.find(key);
  if (it == object.end()) wrong(where, key, "is missing");
  return *it;
}

std::string text(const json& object, const char* key, const std::string& where = "") {
  const auto& value = member(object, key, where);
  if (!value.is_string()) wrong(where, key, "is not a string");
  return value.get<std::string>();
}

// A string, or "" for null.
std::string text_or_null(const json& object, const char* key, const std::string& where) {
  const auto& value = member(object, key, where);
  if (value.is_null()) return "";
  if (!value.is_string()) wrong(where, key, "is neither a string nor null");
  return value.get<std::string>();
}

std::vector<std::string> texts(const json& object, const char* key, const std::string& where) {
  const auto& value = member(object, key, where);
  if (!value.is_array() ||
      !std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); }))
    wrong(where, key, "is not a list of strings");
  return value.get<std::vector<std::string>>();
}

double number(const json& object, const char* key, const std::string& where) {
  const auto& value = member(object, key, where);
  if (!value.is_number()) wrong(where, key, "is not a number");
  return value.get<double>();
}

Status status_by_name(const std::string& name, const std::string& where) {
  for (auto s : kAllStatuses)
    if (name == status_name(s)) return s;
  throw CellJsonError(fmt::format("{}'{}' is no status", where, name));
}

ExpectedResult expected_from_json(const json& j) {
  const std::string where = "expected: ";
  ExpectedResult out;
  out.status = status_by_name(text(j, "status", where), where);
  out.source = text_or_null(j, "source", where);
  out.reason = text_or_null(j, "reason", where);
  out.reference = text_or_null(j, "reference", where);
  if (j.contains("reason_contains")) out.reason_contains = texts(j, "reason_contains", where);
  return out;
}

// The expectation of `scenario` that a recorded check reports: the first not taken yet whose
// fact, values, sender, citation, severity and connection are the check's.
const Expectation& expectation_of(const json& check, const Scenario& scenario,
                                  std::vector<bool>& taken, const std::string& where) {
  const auto fact = text(check, "fact", where);
  const auto any_of = texts(check, "expected", where);
  const auto cite = text(check, "cite", where);
  const auto on_mismatch = text(check, "on_mismatch", where);
  const auto from = check.contains("from") ? text(check, "from", where) : std::string();
  const int count = std::max(1, scenario.connections());
  std::optional<int> connection;
  if (check.contains("connection")) {
    const auto& value = check["connection"];
    if (!value.is_number_integer()) wrong(where, "connection", "is not a whole number");
    connection = value.get<int>();
  }
  if ((count > 1) != connection.has_value())
    throw CellJsonError(fmt::format("{}{} 'connection', but scenario {} has {} connection{}", where,
                                    connection ? "has" : "has no", scenario.id, count,
                                    count > 1 ? "s" : ""));
  for (std::size_t i = 0; i < scenario.expectations.size(); ++i) {
    const auto& e = scenario.expectations[i];
    if (taken[i] || fact_name(e.fact) != fact || e.any_of != any_of || e.cite != cite ||
        severity_name(e.on_mismatch) != on_mismatch || e.from != from ||
        (connection && (e.connection == 0 ? count : e.connection) != *connection))
      continue;
    taken[i] = true;
    return e;
  }
  throw CellJsonError(
      fmt::format("{}{} {} ({}) is no expectation of scenario {} (did its suite file change?)",
                  where, fact, fmt::join(any_of, "|"), cite, scenario.id));
}

const Peer& peer_of(const json& j, const char* role, const std::vector<Peer>& peers) {
  const auto id = text(j, role);
  const auto it =
      std::find_if(peers.begin(), peers.end(), [&](const Peer& p) { return p.entry.id == id; });
  if (it == peers.end())
    throw CellJsonError(fmt::format("{} {} is not a peer of the run", role, id));
  return *it;
}

}  // namespace

CellResult cell_from_json(const json& j, const std::vector<Suite>& suites,
                          const std::vector<Peer>& peers) {
  CellResult c;
  c.id = text(j, "id");
  const auto suite_id = text(j, "suite");
  const auto suite =
      std::find_if(suites.begin(), suites.end(), [&](const Suite& s) { return s.id == suite_id; });
  if (suite == suites.end()) throw CellJsonError(fmt::format("suite {} is not loaded", suite_id));
  const auto scenario_id = text(j, "scenario");
  const auto scenario = std::find_if(suite->scenarios.begin(), suite->scenarios.end(),
                                     [&](const Scenario& s) { return s.id == scenario_id; });
  if (scenario == suite->scenarios.end())
    throw CellJsonError(
        fmt::format("suite {} ({}) has no scenario {}", suite_id, suite->file, scenario_id));
  c.suite = &*suite;
  c.scenario = &*scenario;
  c.client = &peer_of(j, "client", peers);
  c.server = &peer_of(j, "server", peers);
  if (const auto id = cell_id(suite_id, scenario_id, c.client->entry.id, c.server->entry.id);
      id != c.id)
    throw CellJsonError(
        fmt::format("id {} is not that of its suite, scenario, client and server, {}", c.id, id));

  c.verdict.status = status_by_name(text(j, "status"), "");
  c.verdict.reason = text(j, "reason");
  c.expected = expected_from_json(member(j, "expected"));
  const auto& checks = member(j, "checks");
  if (!checks.is_array()) wrong("", "checks", "is not a list");
  std::vector<bool> taken(c.scenario->expectations.size(), false);
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const auto where = fmt::format("checks[{}]: ", i);
    const auto& check = checks[i];
    CheckResult r;
    r.expectation = &expectation_of(check, *c.scenario, taken, where);
    r.connection = check.contains("connection")
                       ? check["connection"].get<int>()
                       : (r.expectation->connection == 0 ? 1 : r.expectation->connection);
    r.observed = text(check, "observed", where);
    r.result = text(check, "result", where);
    c.verdict.checks.push_back(std::move(r));
  }
  c.verdict.observations = member(j, "observations");
  if (!c.verdict.observations.is_object()) wrong("", "observations", "is not an object");
  if (const auto& note = member(j, "security"); !note.is_null()) {
    const auto& rank = member(note, "rank", "security: ");
    if (!rank.is_number_integer()) wrong("security: ", "rank", "is not a whole number");
    c.verdict.security = SecurityNote{text(note, "text", "security: "),
                                      text(note, "cite", "security: "), rank.get<int>()};
  }
  if (j.contains("missing")) {
    const auto& missing = j["missing"];
    c.client_missing = texts(missing, "client", "missing: ");
    c.server_missing = texts(missing, "server", "missing: ");
  }
  c.client_outcome = member(j, "client_outcome");
  c.server_outcome = member(j, "server_outcome");
  c.wire = member(j, "wire");
  c.fact_sources = member(j, "fact_sources");
  if (j.contains("later_connections")) c.later_connections = j["later_connections"];
  if (j.contains("attack")) c.attack = j["attack"];
  const auto& harness = member(j, "harness");
  c.client_exit = text(harness, "client_exit", "harness: ");
  c.server_exit = text(harness, "server_exit", "harness: ");
  const auto& timings = member(j, "timings");
  c.wall_ms = number(timings, "wall_ms", "timings: ");
  c.client_handshake_ms = number(timings, "client_handshake_ms", "timings: ");
  c.server_handshake_ms = number(timings, "server_handshake_ms", "timings: ");

  // Read back, the cell must say of itself what it said when written.
  const auto match = text(j, "match");
  if (match != (as_expected(c) ? "expected" : "unexpected"))
    throw CellJsonError(
        fmt::format("match is {}, but status {} and reason against expected status {}{} make it {}",
                    match, status_name(c.verdict.status), status_name(c.expected.status),
                    c.expected.reason_contains.empty() ? "" : " and its reason_contains",
                    as_expected(c) ? "expected" : "unexpected"));
  return c;
}

}  // namespace tlsmatrix
