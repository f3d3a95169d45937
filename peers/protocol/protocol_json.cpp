#include "protocol_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "endpoint_fields.hpp"
#include "hex_text.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix {

using nlohmann::json;

const char* role_name(Role role) {
  return role == Role::client ? "client" : "server";
}

const char* stage_name(Stage stage) {
  switch (stage) {
    case Stage::configure:
      return "configure";
    case Stage::connect:
      return "connect";
    case Stage::handshake:
      return "handshake";
    case Stage::application_data:
      return "application_data";
    case Stage::done:
      return "done";
  }
  return "?";
}

std::vector<std::string> implemented_items(const ItemTable& table, Role role) {
  std::vector<std::string> out;
  for (const auto& [name, support] : table)
    if (support.in(role)) out.push_back(name);
  return out;
}

json to_json(const EndpointConfig& config) {
  json out = json::object();
  for (const auto& field : endpoint_fields()) out[std::string(field.key)] = field.read(config);
  return out;
}

json request_json(std::uint64_t number, const EndpointConfig& config) {
  return {{"protocol", kPeerProtocolVersion}, {"request", number}, {"config", to_json(config)}};
}

json cancel_json(std::uint64_t number) {
  return {{"protocol", kPeerProtocolVersion}, {"cancel", number}};
}

EndpointConfig endpoint_config_from_json(const json& in) {
  if (!in.is_object()) throw std::invalid_argument("config must be a JSON object");
  EndpointConfig config;
  for (const auto& [key, value] : in.items()) {
    const auto* field = find_endpoint_field(key);
    if (!field) throw std::invalid_argument(fmt::format("config: unknown key '{}'", key));
    try {
      field->apply(config, value);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("config.{}: {}", key, e.what()));
    }
  }
  return config;
}

namespace {

json alert_json(const std::optional<Alert>& a) {
  if (!a) return nullptr;
  return {{"code", a->code}, {"name", a->name}, {"fatal", a->fatal}};
}

std::optional<Alert> alert_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  Alert a;
  a.code = j.at("code").get<std::uint8_t>();
  a.name = j.contains("name") ? j["name"].get<std::string>() : alert_name(a.code);
  a.fatal = j.value("fatal", true);
  return a;
}

json coded(const std::optional<std::uint16_t>& code, std::string (*namer)(std::uint16_t)) {
  if (!code) return nullptr;
  return {{"code", *code}, {"name", namer(*code)}};
}

std::optional<std::uint16_t> code_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.at("code").get<std::uint16_t>();
}

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <typename T>
std::optional<T> opt_from(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<T>();
}

}  // namespace

json to_json(const HandshakeOutcome& o) {
  json cert = nullptr;
  if (o.peer_certificate)
    cert = {{"subject", o.peer_certificate->subject},
            {"issuer", o.peer_certificate->issuer},
            {"public_key", o.peer_certificate->public_key}};
  return {
      {"role", o.role},
      {"stage", stage_name(o.stage)},
      {"handshake_ok", o.handshake_ok},
      {"refused", o.refused ? json{{"setting", o.refused->setting}, {"reason", o.refused->reason}}
                            : json(nullptr)},
      {"timed_out", o.timed_out},
      {"version", opt(o.version)},
      {"cipher_suite", coded(o.cipher_suite, cipher_suite_name)},
      {"group", coded(o.group, group_name)},
      {"hello_retry_request", opt(o.hello_retry_request)},
      {"psk",
       {{"used", o.psk_used},
        {"mode", opt(o.psk_mode)},
        {"identity_hex", o.psk_identity ? json(hex_of(*o.psk_identity)) : json(nullptr)}}},
      {"resumed", opt(o.resumed)},
      {"peer_certificate", cert},
      {"alert_sent", alert_json(o.alert_sent)},
      {"alert_received", alert_json(o.alert_received)},
      {"error", o.error},
      {"app_data",
       {{"sent", o.app_data_sent},
        {"received", o.app_data_received},
        {"verified", o.app_data_verified}}},
      {"keylog", o.keylog},
      {"handshake_ms", o.handshake_ms},
      {"tickets_received", opt(o.tickets_received)},
  };
}

HandshakeOutcome outcome_from_json(const json& j) {
  HandshakeOutcome o;
  o.role = j.at("role").get<std::string>();
  const auto stage = j.at("stage").get<std::string>();
  bool known_stage = false;
  for (auto s :
       {Stage::configure, Stage::connect, Stage::handshake, Stage::application_data, Stage::done})
    if (stage == stage_name(s)) o.stage = s, known_stage = true;
  if (!known_stage) throw std::invalid_argument(fmt::format("unknown stage '{}'", stage));
  o.handshake_ok = j.at("handshake_ok").get<bool>();
  if (j.contains("refused") && !j["refused"].is_null())
    o.refused = ConfigRefusal{j["refused"].at("setting").get<std::string>(),
                              j["refused"].value("reason", "")};
  o.timed_out = j.value("timed_out", false);
  o.version = opt_from<std::string>(j, "version");
  o.cipher_suite = code_from(j.value("cipher_suite", json(nullptr)));
  o.group = code_from(j.value("group", json(nullptr)));
  o.hello_retry_request = opt_from<bool>(j, "hello_retry_request");
  if (j.contains("psk")) {
    o.psk_used = j["psk"].value("used", false);
    o.psk_mode = opt_from<std::string>(j["psk"], "mode");
    if (const auto hex = opt_from<std::string>(j["psk"], "identity_hex"))
      o.psk_identity = bytes_from_hex(*hex);
  }
  o.resumed = opt_from<bool>(j, "resumed");
  if (j.contains("peer_certificate") && !j["peer_certificate"].is_null()) {
    const auto& c = j["peer_certificate"];
    o.peer_certificate =
        PeerCertificate{c.value("subject", ""), c.value("issuer", ""), c.value("public_key", "")};
  }
  o.alert_sent = alert_from(j.value("alert_sent", json(nullptr)));
  o.alert_received = alert_from(j.value("alert_received", json(nullptr)));
  o.error = j.value("error", "");
  if (j.contains("app_data")) {
    const auto& a = j["app_data"];
    o.app_data_sent = a.value("sent", std::size_t{0});
    o.app_data_received = a.value("received", std::size_t{0});
    o.app_data_verified = a.value("verified", false);
  }
  o.keylog = j.value("keylog", std::vector<std::string>{});
  o.handshake_ms = j.value("handshake_ms", 0.0);
  o.tickets_received = opt_from<int>(j, "tickets_received");
  return o;
}

namespace {

json control_json(const std::optional<ItemControl>& c) {
  if (!c) return nullptr;
  return {{"require", c->require}, {"exclude", c->exclude}};
}

std::optional<ItemControl> control_from(const json& j, const std::string& where) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_object())
    throw std::invalid_argument(fmt::format("{}: expected an object or null", where));
  return ItemControl{j.value("require", false), j.value("exclude", false)};
}

json table_json(const ItemTable& table) {
  json out = json::object();
  for (const auto& [name, s] : table)
    out[name] = {{"client", control_json(s.client)}, {"server", control_json(s.server)}};
  return out;
}

// `known` says whether a name is in the registry; an unknown one is an error naming it.
template <typename Known>
ItemTable table_from(const json& j, const char* key, Known known) {
  ItemTable table;
  if (!j.contains(key)) return table;
  const auto& items = j.at(key);
  if (!items.is_object()) throw std::invalid_argument(fmt::format("{}: expected an object", key));
  for (const auto& [name, support] : items.items()) {
    if (!known(name)) throw std::invalid_argument(fmt::format("{}: unknown name '{}'", key, name));
    const auto where = fmt::format("{}.{}", key, name);
    table[name] =
        ItemSupport{control_from(support.value("client", json(nullptr)), where + ".client"),
                    control_from(support.value("server", json(nullptr)), where + ".server")};
  }
  return table;
}

}  // namespace

json to_json(const Capabilities& c) {
  json features = json::array();
  for (const auto f : c.features) features.push_back(std::string(feature_name(f)));
  return {{"stack", c.stack},
          {"library", c.library},
          {"version", c.version},
          {"version_text", c.version_text},
          {"library_file", c.library_file.empty() ? json(nullptr) : json(c.library_file)},
          {"versions", table_json(c.versions)},
          {"groups", table_json(c.groups)},
          {"cipher_suites", table_json(c.cipher_suites)},
          {"default_key_shares", c.default_key_shares},
          {"psk",
           {{"client_mode_sets", c.psk.client_mode_sets},
            {"server_mode_sets", c.psk.server_mode_sets},
            {"hashes", c.psk.hashes}}},
          {"features", features},
          {"serve", c.serve}};
}

namespace {

// Reads one field with `read`; a missing field or one of the wrong type becomes an
// std::invalid_argument naming it and what it held, not the library's text.
template <class Read>
auto field(const json& j, const char* key, Read read) -> decltype(read()) {
  try {
    return read();
  } catch (const json::exception&) {
    const auto it = j.find(key);
    if (it == j.end()) throw std::invalid_argument(fmt::format("'{}' is missing", key));
    auto shown = it->dump();
    if (shown.size() > 80) shown = shown.substr(0, 80) + "...";
    throw std::invalid_argument(fmt::format("'{}' has the wrong type, got {}", key, shown));
  }
}

}  // namespace

Capabilities capabilities_from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("capabilities must be a JSON object");
  Capabilities c;
  c.stack = field(j, "stack", [&] { return j.at("stack").get<std::string>(); });
  c.library = field(j, "library", [&] { return j.at("library").get<std::string>(); });
  c.version = field(j, "version", [&] { return j.at("version").get<std::string>(); });
  c.version_text = field(j, "version_text", [&] { return j.value("version_text", ""); });
  // Optional (added without a protocol version change): absent or null when unknown.
  if (const auto it = j.find("library_file"); it != j.end() && !it->is_null())
    c.library_file = field(j, "library_file", [&] { return it->get<std::string>(); });
  c.versions = field(j, "versions", [&] {
    return table_from(j, "versions",
                      [](const std::string& n) { return version_by_name(n).has_value(); });
  });
  c.groups = field(j, "groups", [&] {
    return table_from(j, "groups",
                      [](const std::string& n) { return group_by_name(n).has_value(); });
  });
  c.cipher_suites = field(j, "cipher_suites", [&] {
    return table_from(j, "cipher_suites",
                      [](const std::string& n) { return cipher_suite_by_name(n).has_value(); });
  });
  c.default_key_shares = field(j, "default_key_shares", [&] {
    return j.value("default_key_shares", std::vector<std::string>{});
  });
  if (j.contains("psk")) {
    field(j, "psk", [&] {
      const auto& p = j.at("psk");
      using Sets = std::vector<std::vector<std::string>>;
      c.psk.client_mode_sets = p.value("client_mode_sets", Sets{});
      c.psk.server_mode_sets = p.value("server_mode_sets", Sets{});
      c.psk.hashes = p.value("hashes", std::vector<std::string>{});
      return 0;
    });
  }
  for (const auto& name :
       field(j, "features", [&] { return j.value("features", std::vector<std::string>{}); })) {
    const auto f = feature_from_name(name);
    if (!f)
      throw std::invalid_argument(
          fmt::format("features: unknown feature '{}' (known: {})", name, feature_names()));
    c.features.insert(*f);
  }
  // Optional (protocol 6): absent means the peer serves one request per process.
  if (const auto it = j.find("serve"); it != j.end())
    c.serve = field(j, "serve", [&] { return it->get<bool>(); });
  // Everything but library_file and serve is required (PROTOCOL.md, "capabilities"): an answer
  // without, say, "groups" would read as a stack with no group at all and make every group
  // cell `unsupported`. Checked last, so a present field of the wrong type is named first.
  for (const char* key : {"version_text", "versions", "groups", "cipher_suites",
                          "default_key_shares", "psk", "features"})
    if (!j.contains(key)) throw std::invalid_argument(fmt::format("'{}' is missing", key));
  for (const char* key : {"client_mode_sets", "server_mode_sets", "hashes"})
    if (!j.at("psk").contains(key))
      throw std::invalid_argument(fmt::format("'psk.{}' is missing", key));
  return c;
}

}  // namespace tlsmatrix
