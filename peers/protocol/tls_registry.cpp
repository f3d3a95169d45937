#include "tls_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace tlsmatrix {
namespace {

// The tables, generated from peers/iana-names.json: the IANA "TLS Supported Groups" (hybrid and
// ML-KEM code points from draft-ietf-tls-ecdhe-mlkem and draft-ietf-tls-mlkem), "TLS Cipher
// Suites" (the TLS 1.3 suites and the TLS 1.2 ones stacks still enable by default), "TLS
// Alerts", and the protocol versions.
#include "tls_registry_tables.inc"

template <typename Table, typename Pred>
auto find_in(const Table& table, Pred pred) -> std::optional<typename Table::value_type> {
  const auto it = std::find_if(table.begin(), table.end(), pred);
  if (it == table.end()) return std::nullopt;
  return *it;
}

}  // namespace

std::span<const GroupInfo> known_groups() {
  return kGroups;
}
std::span<const CipherSuiteInfo> known_cipher_suites() {
  return kCipherSuites;
}
std::span<const NamedCode> known_alerts() {
  return kAlerts;
}
std::span<const NamedCode> known_versions() {
  return kVersions;
}

std::optional<GroupInfo> group_by_name(std::string_view name) {
  return find_in(kGroups, [&](const auto& g) { return g.name == name; });
}
std::optional<GroupInfo> group_by_code(std::uint16_t code) {
  return find_in(kGroups, [&](const auto& g) { return g.code == code; });
}
std::optional<CipherSuiteInfo> cipher_suite_by_name(std::string_view name) {
  return find_in(kCipherSuites, [&](const auto& c) { return c.name == name; });
}
std::optional<CipherSuiteInfo> cipher_suite_by_code(std::uint16_t code) {
  return find_in(kCipherSuites, [&](const auto& c) { return c.code == code; });
}
std::optional<NamedCode> alert_by_name(std::string_view name) {
  return find_in(kAlerts, [&](const auto& a) { return a.name == name; });
}
std::optional<NamedCode> version_by_name(std::string_view name) {
  return find_in(kVersions, [&](const auto& v) { return v.name == name; });
}
std::optional<NamedCode> version_by_code(std::uint16_t code) {
  return find_in(kVersions, [&](const auto& v) { return v.code == code; });
}

std::string alert_name(std::uint8_t code) {
  const auto a = find_in(kAlerts, [&](const auto& x) { return x.code == code; });
  return a ? std::string(a->name) : fmt::format("unknown({})", code);
}
std::string group_name(std::uint16_t code) {
  const auto g = group_by_code(code);
  return g ? std::string(g->name) : fmt::format("unknown(0x{:04x})", code);
}
std::string cipher_suite_name(std::uint16_t code) {
  const auto c = cipher_suite_by_code(code);
  return c ? std::string(c->name) : fmt::format("unknown(0x{:04x})", code);
}
std::string version_name(std::uint16_t code) {
  const auto v = version_by_code(code);
  return v ? std::string(v->name) : fmt::format("unknown(0x{:04x})", code);
}

}  // namespace tlsmatrix
