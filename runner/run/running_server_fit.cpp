#include "running_server_fit.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <functional>

namespace tlsmatrix {
namespace {

// The versions a server without a version setting is taken to enable (EndpointConfig's
// defaults), in order.
constexpr std::array<std::string_view, 4> kVersions{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
const EndpointConfig kUnconfigured{};

std::optional<std::size_t> version_index(const std::string& name) {
  const auto it = std::find(kVersions.begin(), kVersions.end(), name);
  if (it == kVersions.end()) return std::nullopt;
  return static_cast<std::size_t>(it - kVersions.begin());
}

// The versions both `a` and `b` enable; empty when either names a version not in kVersions.
std::vector<std::string_view> common_versions(const EndpointConfig& a, const EndpointConfig& b) {
  const auto lo = std::max({version_index(a.min_version).value_or(kVersions.size()),
                            version_index(b.min_version).value_or(kVersions.size())});
  const auto hi = std::min(
      {version_index(a.max_version).value_or(0), version_index(b.max_version).value_or(0)});
  if (lo > hi || lo >= kVersions.size()) return {};
  return {kVersions.begin() + static_cast<std::ptrdiff_t>(lo),
          kVersions.begin() + static_cast<std::ptrdiff_t>(hi) + 1};
}

// A server list restricts nothing the client does not decide when it is empty (the library's
// choice), or when the client offers exactly one item and the list holds it: whatever else a
// server enables, it can only take that one.
bool list_decided_by_client(const std::vector<std::string>& server,
                            const std::vector<std::string>& client) {
  if (server.empty()) return true;
  return client.size() == 1 && std::find(server.begin(), server.end(), client[0]) != server.end();
}

struct Rule {
  // Returns the obstacle in words, or an empty string.
  std::function<std::string(const Scenario&, const RunningServer&)> obstacle;
};

// One row per server setting a running server cannot take from the cell.
const std::vector<Rule>& rules() {
  static const std::vector<Rule> table{
      {[](const Scenario& s, const RunningServer&) -> std::string {
        if (s.server.psks.empty() && !s.server.psk_modes && !s.server.cert_with_extern_psk)
          return "";
        return "its server is given an external PSK (a fresh random one for every cell) or PSK "
               "settings, which a running server cannot take";
      }},
      {[](const Scenario& s, const RunningServer&) -> std::string {
        if (!s.server.session_tickets && s.connections() == 1) return "";
        return "it resumes over more than one connection with the server's ticket settings, "
               "which a running server keeps as they are";
      }},
      {[](const Scenario& s, const RunningServer&) -> std::string {
        return s.server.require_client_certificate
                   ? "its server requires a client certificate from the suites' test PKI"
                   : "";
      }},
      {[](const Scenario& s, const RunningServer& r) -> std::string {
        if (!s.server.certificate || s.server.certificate->chain_pem == r.certificate_chain_pem)
          return "";
        return "its server serves another certificate than the one a running server serves "
               "(suites/pki/server-ecdsa-p256)";
      }},
      {[](const Scenario& s, const RunningServer&) -> std::string {
        return s.server.server_preference
                   ? "it sets whether the server chooses by its own preference order"
                   : "";
      }},
      {[](const Scenario& s, const RunningServer&) -> std::string {
        if (common_versions(s.client, s.server) == common_versions(s.client, kUnconfigured))
          return "";
        return fmt::format(
            "its server enables {}..{}, which changes the versions a server can choose from "
            "the client's {}..{}",
            s.server.min_version, s.server.max_version, s.client.min_version, s.client.max_version);
      }},
      {[](const Scenario& s, const RunningServer&) -> std::string {
        if (list_decided_by_client(s.server.groups, s.client.groups)) return "";
        return fmt::format(
            "its server enables only the groups [{}], a choice the client's offer [{}] leaves "
            "to the server",
            fmt::join(s.server.groups, ", "), fmt::join(s.client.groups, ", "));
      }},
      {[](const Scenario& s, const RunningServer&) -> std::string {
        if (list_decided_by_client(s.server.cipher_suites, s.client.cipher_suites)) return "";
        return fmt::format(
            "its server enables only the cipher suites [{}], a choice the client's offer [{}] "
            "leaves to the server",
            fmt::join(s.server.cipher_suites, ", "), fmt::join(s.client.cipher_suites, ", "));
      }},
  };
  return table;
}

}  // namespace

std::optional<std::string> running_server_obstacle(const Scenario& scenario,
                                                   const RunningServer& server) {
  for (const auto& rule : rules())
    if (auto why = rule.obstacle(scenario, server); !why.empty()) return why;
  return std::nullopt;
}

}  // namespace tlsmatrix
