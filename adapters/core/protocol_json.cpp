#include "protocol_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "endpoint_fields.hpp"
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

bool Capabilities::has_feature(const std::string& name) const {
  return std::find(features.begin(), features.end(), name) != features.end();
}

json to_json(const EndpointConfig& config) {
  json out = json::object();
  for (const auto& field : endpoint_fields()) out[std::string(field.key)] = field.read(config);
  return out;
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
      {"version", opt(o.version)},
      {"cipher_suite", coded(o.cipher_suite, cipher_suite_name)},
      {"group", coded(o.group, group_name)},
      {"hello_retry_request", opt(o.hello_retry_request)},
      {"psk", {{"used", o.psk_used}, {"mode", opt(o.psk_mode)}}},
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
  o.version = opt_from<std::string>(j, "version");
  o.cipher_suite = code_from(j.value("cipher_suite", json(nullptr)));
  o.group = code_from(j.value("group", json(nullptr)));
  o.hello_retry_request = opt_from<bool>(j, "hello_retry_request");
  if (j.contains("psk")) {
    o.psk_used = j["psk"].value("used", false);
    o.psk_mode = opt_from<std::string>(j["psk"], "mode");
  }
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
  return o;
}

json to_json(const Capabilities& c) {
  return {{"stack", c.stack},
          {"library", c.library},
          {"version", c.version},
          {"version_text", c.version_text},
          {"versions", c.versions},
          {"groups", c.groups},
          {"cipher_suites", c.cipher_suites},
          {"psk_modes", c.psk_modes},
          {"features", c.features}};
}

Capabilities capabilities_from_json(const json& j) {
  Capabilities c;
  c.stack = j.at("stack").get<std::string>();
  c.library = j.at("library").get<std::string>();
  c.version = j.at("version").get<std::string>();
  c.version_text = j.value("version_text", "");
  c.versions = j.value("versions", std::vector<std::string>{});
  c.groups = j.value("groups", std::vector<std::string>{});
  c.cipher_suites = j.value("cipher_suites", std::vector<std::string>{});
  c.psk_modes = j.value("psk_modes", std::vector<std::string>{});
  c.features = j.value("features", std::vector<std::string>{});
  return c;
}

}  // namespace tlsmatrix
