#include "scenario_loader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "endpoint_fields.hpp"
#include "tls_registry.hpp"
#include "utf8_text.hpp"
#include "yaml_document.hpp"

namespace tlsmatrix {
namespace {

using nlohmann::json;

// Protocol fields the runner fills in per cell (or, for PEM, from the names scenarios use).
bool is_runner_owned(std::string_view key) {
  static constexpr std::string_view kOwned[] = {
      "role",        "connect_host", "connect_port",     "send_data",
      "expect_data", "timeout_ms",   "trust_anchors_pem"};
  return std::find(std::begin(kOwned), std::end(kOwned), key) != std::end(kOwned);
}

// Carries the file name so every error can say where it is.
class Reader {
 public:
  Reader(std::string file, const TestPki& pki) : file_(std::move(file)), pki_(pki) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    throw ScenarioFileError(fmt::format("{}: {}", yaml_place(file_, at), what));
  }

  Suite suite(const YAML::Node& root) const {
    if (!root.IsMap())
      fail(root, "a suite file is a mapping with schema_version, suite, title and scenarios");
    allow_keys(root, {"schema_version", "suite", "title", "description", "defaults", "scenarios"});
    if (scalar(required(root, "schema_version"), "schema_version") != "1")
      fail(root["schema_version"], "unsupported schema_version (this runner reads version 1)");
    Suite s;
    s.file = file_;
    s.id = identifier(required(root, "suite"), "suite");
    s.title = scalar(required(root, "title"), "title");
    if (root["description"]) s.description = scalar(root["description"], "description");

    // The defaults are read once, not once per scenario: the work stays linear in the file.
    Scenario defaults;
    defaults.client.role = Role::client;
    defaults.server.role = Role::server;
    if (const auto node = root["defaults"]) {
      if (!node.IsMap()) fail(node, "defaults must be a mapping with client and/or server");
      allow_keys(node, {"client", "server"});
      endpoint(node["client"], defaults.client, defaults.client_requires);
      endpoint(node["server"], defaults.server, defaults.server_requires);
    }

    const auto list = required(root, "scenarios");
    if (!list.IsSequence() || list.size() == 0) fail(list, "scenarios must be a non-empty list");
    std::set<std::string> seen;
    for (const auto& node : list) {
      auto scenario = this->scenario(node, defaults);
      if (!seen.insert(scenario.id).second)
        fail(node["id"], fmt::format("duplicate scenario id '{}'", scenario.id));
      s.scenarios.push_back(std::move(scenario));
    }
    return s;
  }

 private:
  Scenario scenario(const YAML::Node& node, const Scenario& defaults) const {
    if (!node.IsMap())
      fail(node, "each scenario is a mapping with id, title, client, server and expect");
    allow_keys(node, {"id", "title", "description", "connections", "client", "server", "relay",
                      "expect", "record", "defaults_column"});
    Scenario sc = defaults;
    sc.line = node.Mark().line + 1;
    sc.id = identifier(required(node, "id"), "id");
    sc.title = scalar(required(node, "title"), "title");
    if (node["description"]) sc.description = scalar(node["description"], "description");
    endpoint(node["client"], sc.client, sc.client_requires);
    endpoint(node["server"], sc.server, sc.server_requires);

    if (const auto connections = node["connections"]) connections_setting(connections, sc);
    if (const auto relay = node["relay"]) sc.relay = mutations(relay);

    const auto expect = required(node, "expect");
    if (!expect.IsSequence() || expect.size() == 0)
      fail(expect, "expect must be a non-empty list of checks");
    for (const auto& item : expect) sc.expectations.push_back(expectation(item));
    handshake_checks(expect, sc);

    if (const auto record = node["record"]) {
      if (!record.IsSequence()) fail(record, "record must be a list of facts");
      for (const auto& item : record) sc.record.push_back(recorded_fact(item));
    }
    if (const auto column = node["defaults_column"])
      sc.defaults_column = defaults_column(column, sc);
    return sc;
  }

  // `relay:` a list of mutations, each `mutation: NAME` and its parameters (suites/README.md).
  std::vector<Mutation> mutations(const YAML::Node& relay) const {
    if (!relay.IsSequence() || relay.size() == 0)
      fail(relay, "relay must be a non-empty list of mutations");
    std::vector<Mutation> out;
    for (const auto& item : relay) {
      if (!item.IsMap() || !item["mutation"])
        fail(item, "each relay entry is a mapping with 'mutation' and its parameters");
      std::map<std::string, std::vector<std::string>> params;
      for (const auto& kv : item) {
        const auto key = yaml_key(kv.first, file_);
        if (key != "mutation") params[key] = strings(kv.second, key);
      }
      try {
        out.push_back(parse_mutation(scalar(item["mutation"], "mutation"), params));
      } catch (const std::invalid_argument& e) {
        fail(item, e.what());
      }
      out.back().line = item.Mark().line + 1;
    }
    return out;
  }

  // `connections: N` applies to both sides: a server that accepts fewer than its client makes
  // would only leave the client a refused connection.
  void connections_setting(const YAML::Node& node, Scenario& sc) const {
    try {
      find_endpoint_field("connections")->apply(sc.client, to_json(node, "connections"));
      sc.server.connections = sc.client.connections;
    } catch (const std::invalid_argument& e) {
      fail(node, fmt::format("connections: {}", e.what()));
    }
    if (sc.connections() > 1 && (!sc.client.psks.empty() || !sc.server.psks.empty()))
      fail(node, "connections > 1 is for resumption and does not go with psks (peers/PROTOCOL.md)");
  }

  // Every connection states its handshake outcome, and a connection before the last must
  // succeed: the next one only happens after it (peers/PROTOCOL.md, "Connections").
  void handshake_checks(const YAML::Node& expect, const Scenario& sc) const {
    const int count = sc.connections();
    for (const auto& e : sc.expectations)
      if (e.connection > count)
        fail(expect, fmt::format("the check on line {} names connection {}, but the scenario has "
                                 "{} (connections: N)",
                                 e.line, e.connection, count));
    for (int c = 1; c <= count; ++c) {
      const auto check =
          std::find_if(sc.expectations.begin(), sc.expectations.end(), [&](const Expectation& e) {
            return e.fact == Fact::handshake && (e.connection == 0 ? count : e.connection) == c;
          });
      if (check == sc.expectations.end())
        fail(expect, count == 1 ? std::string("expect must state the handshake outcome (a "
                                              "'handshake: success' or 'handshake: refused' check)")
                                : fmt::format("expect must state the handshake outcome of "
                                              "connection {} (a 'handshake' check with "
                                              "'connection: {}')",
                                              c, c));
      if (c < count && check->any_of != std::vector<std::string>{"success"})
        fail(expect, fmt::format("connection {} must expect 'handshake: success': connection {} "
                                 "only happens after it",
                                 c, c + 1));
    }
  }

  // Applies one endpoint mapping on top of what `config` already holds, so scenario values
  // override the suite's defaults key by key.
  void endpoint(const YAML::Node& node, EndpointConfig& config,
                std::vector<Feature>& requires_out) const {
    if (!node || node.IsNull()) return;  // absent, or the empty default of a suite without defaults
    if (!node.IsMap()) fail(node, "an endpoint is a mapping of settings");
    for (const auto& kv : node) {
      const auto key = yaml_key(kv.first, file_);
      const auto& value = kv.second;
      try {
        if (key == "certificate") {
          config.certificate = pki_.certified_key(scalar(value, key));
        } else if (key == "trust") {
          config.trust_anchors_pem = pki_.trust_anchors(strings(value, key));
        } else if (key == "requires") {
          features(value, requires_out);
        } else if (is_runner_owned(key)) {
          fail(kv.first, fmt::format("'{}' is set by the runner, not by scenarios", key));
        } else if (key == "connections") {
          fail(kv.first, "connections is a setting of the scenario (both sides), not of one side");
        } else if (const auto* field = find_endpoint_field(key)) {
          field->apply(config, to_json(value, key));
        } else {
          std::vector<std::string> known{"certificate", "trust", "requires"};
          for (const auto& f : endpoint_fields())
            if (!is_runner_owned(f.key) && f.key != "certificate" && f.key != "connections")
              known.emplace_back(f.key);
          fail(kv.first, fmt::format("unknown endpoint setting '{}' (known: {})", key,
                                     fmt::join(known, ", ")));
        }
      } catch (const std::invalid_argument& e) {
        fail(value, fmt::format("{}: {}", key, e.what()));
      }
    }
  }

  // `requires:` names protocol features; a misspelt one would silently make every cell
  // `unsupported`, so it is an error here, where it is written.
  void features(const YAML::Node& node, std::vector<Feature>& out) const {
    if (!node.IsScalar() && !node.IsSequence())
      fail(node, "requires must be a feature or a list of features");
    const auto add = [&](const YAML::Node& item) {
      const auto name = scalar(item, "requires");
      const auto feature = feature_from_name(name);
      if (!feature)
        fail(item,
             fmt::format("unknown feature '{}' in requires (features: {})", name, feature_names()));
      if (std::find(out.begin(), out.end(), *feature) == out.end()) out.push_back(*feature);
    };
    if (node.IsScalar()) return add(node);
    for (const auto& item : node) add(item);
  }

  // defaults_column: {role, fact, label}; the fact is recorded in every cell, so the table is
  // built from what each cell's peers and wire showed.
  DefaultsColumn defaults_column(const YAML::Node& node, Scenario& sc) const {
    if (!node.IsMap()) fail(node, "defaults_column is a mapping {role, fact, label}");
    allow_keys(node, {"role", "fact", "label"});
    DefaultsColumn column;
    const auto role = scalar(required(node, "role"), "role");
    if (role != "client" && role != "server") fail(node["role"], "role must be client or server");
    column.role = role == "client" ? Role::client : Role::server;
    column.fact = recorded_fact(required(node, "fact"));
    column.label = scalar(required(node, "label"), "label");
    if (std::find(sc.record.begin(), sc.record.end(), column.fact) == sc.record.end())
      sc.record.push_back(column.fact);
    return column;
  }

  Expectation expectation(const YAML::Node& node) const {
    if (!node.IsMap())
      fail(node, "a check is a mapping like {group: x25519, cite: \"RFC 8446 §4.2.7\"}");
    Expectation e;
    e.line = node.Mark().line + 1;
    bool have_fact = false, have_mismatch = false;
    for (const auto& kv : node) {
      const auto key = yaml_key(kv.first, file_);
      const auto f = fact_by_name(key);
      if (key == "cite") {
        e.cite = scalar(kv.second, key);
      } else if (key == "from") {
        e.from = scalar(kv.second, key);
        if (e.from != "client" && e.from != "server")
          fail(kv.second, "from must be client or server");
      } else if (key == "whatever_the_outcome") {
        const auto v = scalar(kv.second, key);
        if (v != "true" && v != "false")
          fail(kv.second, "whatever_the_outcome must be true or false");
        e.whatever_the_outcome = v == "true";
      } else if (key == "connection") {
        const auto v = scalar(kv.second, key);
        if (v.size() != 1 || v[0] < '1' || v[0] > '0' + kMaxConnections)
          fail(kv.second, fmt::format("connection must be a number from 1 to {}", kMaxConnections));
        e.connection = v[0] - '0';
      } else if (key == "on_mismatch") {
        const auto v = scalar(kv.second, key);
        if (v == "fail")
          e.on_mismatch = Severity::fail;
        else if (v == "deviation")
          e.on_mismatch = Severity::deviation;
        else
          fail(kv.second, "on_mismatch must be fail or deviation");
        have_mismatch = true;
      } else if (f) {
        if (have_fact) fail(kv.first, "one fact per check; split it into two checks");
        if (definition(*f).use == FactUse::record_only)
          fail(kv.first, fmt::format("{} can be recorded (record: [{}]) but not expected: no RFC "
                                     "fixes it",
                                     key, key));
        have_fact = true;
        e.fact = *f;
        e.any_of = strings(kv.second, key);
        for (const auto& v : e.any_of) check_value(kv.second, *f, v);
      } else {
        fail(kv.first, fmt::format("unknown check key '{}' (facts: {}; plus cite, from, "
                                   "on_mismatch, whatever_the_outcome, connection)",
                                   key, fact_names()));
      }
    }
    if (!have_fact) fail(node, "the check names no fact");
    if (e.cite.empty())
      fail(node, "every check must cite the RFC or draft section it comes from (cite: ...)");
    const bool per_sender = definition(e.fact).merge == Merge::alerts_per_sender;
    if (per_sender && e.from.empty())
      fail(node, fmt::format("a {} check must say which side sends it (from: client|server)",
                             fact_name(e.fact)));
    if (e.whatever_the_outcome && e.fact == Fact::handshake)
      fail(node, "whatever_the_outcome applies to checks other than the handshake outcome");
    if (!per_sender && !e.from.empty())
      fail(node, fmt::format("from: applies to alert checks, not to {}", fact_name(e.fact)));
    // The alert a refusal carries is a detail RFC 8446 fixes once the refusal itself is right.
    if (!have_mismatch && definition(e.fact).kind == ValueKind::alert)
      e.on_mismatch = Severity::deviation;
    return e;
  }

  void check_value(const YAML::Node& at, Fact fact, const std::string& v) const {
    if (!valid_fact_value(fact, v))
      fail(at, fmt::format("'{}' is not a valid value for {}", v, fact_name(fact)));
  }

  Fact recorded_fact(const YAML::Node& node) const {
    const auto f = fact_by_name(scalar(node, "record"));
    if (!f) fail(node, fmt::format("unknown fact '{}' (facts: {})", node.Scalar(), fact_names()));
    if (definition(*f).use == FactUse::expect_only)
      fail(node, fmt::format("{} cannot be recorded, only expected", node.Scalar()));
    return *f;
  }

  YAML::Node required(const YAML::Node& map, const char* key) const {
    auto node = map[key];
    if (!node) fail(map, fmt::format("missing required key '{}'", key));
    return node;
  }

  void allow_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed) const {
    for (const auto& kv : map) {
      const auto key = yaml_key(kv.first, file_);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        fail(kv.first,
             fmt::format("unknown key '{}' (allowed here: {})", key, fmt::join(allowed, ", ")));
    }
  }

  std::string scalar(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node, fmt::format("{} must be a single value", what));
    return node.Scalar();
  }

  std::vector<std::string> strings(const YAML::Node& node, const std::string& what) const {
    if (node.IsScalar()) return {node.Scalar()};
    if (!node.IsSequence()) fail(node, fmt::format("{} must be a value or a list of values", what));
    std::vector<std::string> out;
    for (const auto& item : node) out.push_back(scalar(item, what));
    return out;
  }

  // [a-z0-9][a-z0-9.-]*, checked by hand: std::regex recurses per character and overflows
  // the stack on a long enough value.
  std::string identifier(const YAML::Node& node, const std::string& what) const {
    auto v = scalar(node, what);
    const auto lower_or_digit = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    const bool ok = !v.empty() && lower_or_digit(v[0]) &&
                    std::all_of(v.begin(), v.end(),
                                [&](char c) { return lower_or_digit(c) || c == '.' || c == '-'; });
    if (!ok) fail(node, fmt::format("{} '{}' must match [a-z0-9][a-z0-9.-]*", what, v));
    return v;
  }

  // YAML scalars carry no type: quoted ones are strings, plain ones become booleans or numbers
  // when they look like one, the same way the JSON protocol would spell them.
  json to_json(const YAML::Node& node, const std::string& field) const {
    switch (node.Type()) {
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Sequence: {
        json arr = json::array();
        for (const auto& item : node) arr.push_back(to_json(item, field));
        return arr;
      }
      case YAML::NodeType::Map: {
        json obj = json::object();
        for (const auto& kv : node) obj[yaml_key(kv.first, file_)] = to_json(kv.second, field);
        return obj;
      }
      case YAML::NodeType::Scalar: {
        const auto& s = node.Scalar();
        if (node.Tag() == "!") return s;
        if (s == "true") return true;
        if (s == "false") return false;
        if (s == "null" || s == "~") return nullptr;
        if (!s.empty() &&
            std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
          return yaml_unsigned(node, file_, field, 0, std::numeric_limits<std::uint64_t>::max());
        return s;
      }
      default:
        return nullptr;
    }
  }

  std::string file_;
  const TestPki& pki_;
};

}  // namespace

const char* severity_name(Severity severity) {
  return severity == Severity::fail ? "fail" : "deviation";
}

Suite load_suite_text(const std::string& text, const std::string& file_name, const TestPki& pki) {
  try {
    const auto root = parse_yaml_document(text, file_name);
    return Reader(file_name, pki).suite(root);
  } catch (const YamlInputError& e) {
    throw ScenarioFileError(e.what());
  } catch (const YAML::Exception& e) {  // a conversion the reader did not foresee
    throw ScenarioFileError(
        fmt::format("{}:{}:{}: {}", file_name, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

Suite load_suite_file(const std::filesystem::path& file, const TestPki& pki) {
  std::string text;
  try {
    text = read_input_file(file, "suite file");
  } catch (const YamlInputError& e) {
    throw ScenarioFileError(e.what());
  }
  return load_suite_text(text, file.string(), pki);
}

namespace {

// Why a folder entry that looks like a suite file is not one; empty when it is.
std::string reason_to_skip(const std::filesystem::directory_entry& entry) {
  std::error_code ec;
  if (entry.path().extension() != ".yaml") return "suite files end in .yaml";
  if (entry.is_symlink(ec) && !entry.exists(ec)) return "a symbolic link to nothing";
  if (entry.is_directory(ec)) return "a folder";
  if (!entry.is_regular_file(ec)) return "not a regular file (a FIFO, socket or device)";
  return "";
}

bool looks_like_suite_file(const std::filesystem::path& file) {
  auto ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".yaml" || ext == ".yml";
}

}  // namespace

std::vector<Suite> load_suites(const std::filesystem::path& dir, const TestPki& pki,
                               const std::vector<std::string>& only,
                               std::vector<std::string>* skipped) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw ScenarioFileError(
        fmt::format("{}: suites directory not found", escaped_bytes(dir.string())));
  std::vector<std::filesystem::path> files;
  std::vector<std::string> skips;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!looks_like_suite_file(entry.path())) continue;  // README.md, pki/ and the like
    const auto name = entry.path().string();
    if (first_invalid_utf8(entry.path().filename().string()))
      throw ScenarioFileError(
          fmt::format("{}: the file name is not UTF-8 (results name it in JSON); rename it",
                      escaped_bytes(name)));
    if (const auto why = reason_to_skip(entry); !why.empty())
      skips.push_back(fmt::format("{}: skipped, {}", name, why));
    else
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::sort(skips.begin(), skips.end());
  if (skipped) *skipped = skips;
  if (files.empty())
    throw ScenarioFileError(fmt::format("{}: no suite files (*.yaml){}{}", dir.string(),
                                        skips.empty() ? "" : "; ", fmt::join(skips, "; ")));
  std::vector<Suite> suites;
  std::set<std::string> ids;
  for (const auto& file : files) {
    auto suite = load_suite_file(file, pki);
    if (!ids.insert(suite.id).second)
      throw ScenarioFileError(
          fmt::format("{}: suite id '{}' is used by another file too", file.string(), suite.id));
    if (only.empty() || std::find(only.begin(), only.end(), suite.id) != only.end())
      suites.push_back(std::move(suite));
  }
  for (const auto& want : only)
    if (!ids.count(want))
      throw ScenarioFileError(
          fmt::format("no suite '{}' in {} (have: {})", want, dir.string(), fmt::join(ids, ", ")));
  return suites;
}

}  // namespace tlsmatrix
