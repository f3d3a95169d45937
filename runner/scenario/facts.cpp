// The one table of facts: the name a suite file uses for each, and which values it can take.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "scenario.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix {
namespace {

bool is_bool(const std::string& v) {
  return v == "true" || v == "false";
}
bool is_count(const std::string& v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct FactInfo {
  Fact fact;
  const char* name;
  bool (*valid)(const std::string& value);
};

constexpr std::array kFacts = {
    // A handshake can also be observed `stalled`, but no RFC asks for a stall, so a scenario
    // cannot expect one.
    FactInfo{Fact::handshake, "handshake",
             [](const std::string& v) { return v == "success" || v == "refused"; }},
    FactInfo{Fact::version, "version",
             [](const std::string& v) { return version_by_name(v).has_value(); }},
    FactInfo{Fact::cipher_suite, "cipher_suite",
             [](const std::string& v) { return cipher_suite_by_name(v).has_value(); }},
    FactInfo{Fact::group, "group",
             [](const std::string& v) { return group_by_name(v).has_value(); }},
    FactInfo{Fact::hello_retry_request, "hello_retry_request", is_bool},
    FactInfo{Fact::alert, "alert",
             [](const std::string& v) { return alert_by_name(v).has_value(); }},
    FactInfo{Fact::psk_used, "psk_used", is_bool},
    FactInfo{Fact::psk_mode, "psk_mode",
             [](const std::string& v) { return v == "psk_ke" || v == "psk_dhe_ke"; }},
    FactInfo{Fact::client_hello_bytes, "client_hello_bytes", is_count},
    FactInfo{Fact::client_key_share_bytes, "client_key_share_bytes", is_count},
    FactInfo{Fact::server_key_share_bytes, "server_key_share_bytes", is_count},
};

const FactInfo& info(Fact fact) {
  return *std::find_if(kFacts.begin(), kFacts.end(), [&](const auto& f) { return f.fact == fact; });
}

}  // namespace

const char* fact_name(Fact fact) {
  return info(fact).name;
}

bool fact_from_name(const std::string& name, Fact& out) {
  const auto it =
      std::find_if(kFacts.begin(), kFacts.end(), [&](const auto& f) { return name == f.name; });
  if (it == kFacts.end()) return false;
  out = it->fact;
  return true;
}

bool valid_fact_value(Fact fact, const std::string& value) {
  return info(fact).valid(value);
}

std::string fact_names() {
  std::string out;
  for (const auto& f : kFacts) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

}  // namespace tlsmatrix
