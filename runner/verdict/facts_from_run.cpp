#include "facts_from_run.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "tls_registry.hpp"

namespace tlsmatrix {
namespace {

struct Side {
  const char* role;
  const std::string& peer_id;
  const HandshakeOutcome& outcome;
};

std::string side_summary(const Side& s) {
  const auto& o = s.outcome;
  if (o.stage == Stage::done) return fmt::format("{} completed", s.role);
  auto text = fmt::format("{} {} stopped in {}", s.role, s.peer_id, stage_name(o.stage));
  if (o.alert_sent) text += fmt::format(", sent {}", o.alert_sent->name);
  if (o.alert_received) text += fmt::format(", received {}", o.alert_received->name);
  if (!o.error.empty()) text += fmt::format(" ('{}')", o.error);
  return text;
}

bool is_refusal_alert(const std::optional<Alert>& a) {
  return a && a->name != "close_notify" && a->name != "user_canceled";
}

void add_alert(std::vector<std::string>& alerts, const std::string& name) {
  if (std::find(alerts.begin(), alerts.end(), name) == alerts.end()) alerts.push_back(name);
}

// A named fact from the wire when it saw it, else from the peers, noting any contradiction.
template <typename T, typename Namer>
std::optional<std::string> merge(const char* fact, const std::optional<T>& wire,
                                 const std::vector<Side>& sides,
                                 std::optional<T> HandshakeOutcome::*field, Namer name,
                                 CellFacts& facts) {
  std::optional<T> value = wire;
  std::string source = "wire";
  for (const auto& s : sides) {
    const auto& reported = s.outcome.*field;
    if (!s.outcome.handshake_ok || !reported) continue;
    if (!value) {
      value = reported;
      source = fmt::format("{} peer", s.role);
    } else if (*value != *reported) {
      facts.inconsistencies.push_back(fmt::format("{} peer {} reports {} {} but the {} shows {}",
                                                  s.role, s.peer_id, fact, name(*reported), source,
                                                  name(*value)));
    }
  }
  if (!value) return std::nullopt;
  facts.sources[fact] = source;
  return name(*value);
}

std::vector<std::string> group_names(const std::vector<std::uint16_t>& codes) {
  std::vector<std::string> names;
  for (auto c : codes) names.push_back(group_name(c));
  return names;
}

// A peer that claims a capability but sends something else on the wire makes every verdict
// about that capability meaningless, so the cell must not pass or fail on it.
void check_client_hello_applied(const WireObservation& wire, const CellRequest& request,
                                CellFacts& facts) {
  if (wire.client_hellos.empty()) return;
  const auto& hello = wire.client_hellos.front();
  const auto& config = request.client_config;
  const auto& id = request.client->id;
  if (!config.groups.empty()) {
    const auto sent = group_names(hello.supported_groups);
    if (sent != config.groups)
      facts.inconsistencies.push_back(
          fmt::format("client peer {} was configured with groups [{}] but its ClientHello "
                      "offered [{}]",
                      id, fmt::join(config.groups, ", "), fmt::join(sent, ", ")));
  }
  if (config.key_shares) {
    std::vector<std::uint16_t> codes;
    for (const auto& ks : hello.key_shares) codes.push_back(ks.group);
    // Compared as sets: RFC 8446 §4.2.8 fixes their order to that of supported_groups.
    auto sent = group_names(codes);
    auto wanted = *config.key_shares;
    std::sort(sent.begin(), sent.end());
    std::sort(wanted.begin(), wanted.end());
    if (sent != wanted)
      facts.inconsistencies.push_back(
          fmt::format("client peer {} was configured with key shares [{}] but its first "
                      "ClientHello carried [{}]",
                      id, fmt::join(*config.key_shares, ", "), fmt::join(sent, ", ")));
  }
}

}  // namespace

CellFacts facts_from_run(const CellRun& run, const WireObservation& wire,
                         const CellRequest& request) {
  CellFacts facts;
  const Side client{"client", request.client->id, *run.client.outcome};
  const Side server{"server", request.server->id, *run.server.outcome};
  const std::vector<Side> sides{client, server};

  for (const auto& s : sides)
    if (s.outcome.stage == Stage::configure)
      facts.inconsistencies.push_back(fmt::format(
          "{} peer {} could not apply its configuration: {}", s.role, s.peer_id, s.outcome.error));

  facts.handshake_success =
      client.outcome.stage == Stage::done && server.outcome.stage == Stage::done;
  // Peers report versions by name, so this one fact is merged by name.
  if (wire.version) {
    facts.version = version_name(*wire.version);
    facts.sources["version"] = "wire";
  }
  for (const auto& s : sides) {
    if (!s.outcome.handshake_ok || !s.outcome.version) continue;
    if (!facts.version) {
      facts.version = s.outcome.version;
      facts.sources["version"] = fmt::format("{} peer", s.role);
    } else if (*facts.version != *s.outcome.version) {
      facts.inconsistencies.push_back(
          fmt::format("{} peer {} reports version {} but the {} shows {}", s.role, s.peer_id,
                      *s.outcome.version, facts.sources["version"], *facts.version));
    }
  }
  facts.cipher_suite = merge(
      "cipher_suite", wire.cipher_suite, sides, &HandshakeOutcome::cipher_suite,
      [](std::uint16_t c) { return cipher_suite_name(c); }, facts);
  facts.group = merge(
      "group", wire.group, sides, &HandshakeOutcome::group,
      [](std::uint16_t c) { return group_name(c); }, facts);

  // HelloRetryRequest: the wire decides once it saw a ClientHello; the peers must agree.
  if (!wire.client_hellos.empty()) {
    facts.hello_retry_request = wire.hello_retry_request;
    facts.sources["hello_retry_request"] = "wire";
  }
  for (const auto& s : sides) {
    if (!s.outcome.handshake_ok || !s.outcome.hello_retry_request.has_value()) continue;
    const bool reported = s.outcome.hello_retry_request.value();
    if (!facts.hello_retry_request.has_value()) {
      facts.hello_retry_request = reported;
      facts.sources["hello_retry_request"] = fmt::format("{} peer", s.role);
    } else if (facts.hello_retry_request.value() != reported) {
      facts.inconsistencies.push_back(
          fmt::format("{} peer {} reports hello_retry_request {} but the {} shows {}", s.role,
                      s.peer_id, reported, facts.sources["hello_retry_request"], !reported));
    }
  }

  if (!wire.server_hellos.empty()) {
    facts.psk_used = wire.psk_accepted;
    facts.sources["psk_used"] = "wire";
    if (wire.psk_accepted) facts.psk_mode = wire.group ? "psk_dhe_ke" : "psk_ke";
    for (const auto& s : sides)
      if (s.outcome.handshake_ok && s.outcome.psk_used != wire.psk_accepted)
        facts.inconsistencies.push_back(
            fmt::format("{} peer {} reports psk used = {} but the ServerHello says {}", s.role,
                        s.peer_id, s.outcome.psk_used, wire.psk_accepted));
  }

  // Alerts: each side's own word, the other side's, and the plaintext records.
  if (is_refusal_alert(client.outcome.alert_sent))
    add_alert(facts.alerts_from_client, client.outcome.alert_sent->name);
  if (is_refusal_alert(server.outcome.alert_received))
    add_alert(facts.alerts_from_client, server.outcome.alert_received->name);
  if (is_refusal_alert(server.outcome.alert_sent))
    add_alert(facts.alerts_from_server, server.outcome.alert_sent->name);
  if (is_refusal_alert(client.outcome.alert_received))
    add_alert(facts.alerts_from_server, client.outcome.alert_received->name);
  for (const auto& a : wire.client_to_server.plaintext_alerts)
    if (a.name != "close_notify") add_alert(facts.alerts_from_client, a.name);
  for (const auto& a : wire.server_to_client.plaintext_alerts)
    if (a.name != "close_notify") add_alert(facts.alerts_from_server, a.name);

  check_client_hello_applied(wire, request, facts);

  if (!wire.client_hellos.empty()) {
    const auto& hello = wire.client_hellos.front();
    facts.client_hello_bytes = hello.message_length;
    std::size_t shares = 0;
    for (const auto& ks : hello.key_shares) shares += ks.key_exchange_length;
    facts.client_key_share_bytes = shares;
  }
  if (!wire.server_hellos.empty() && wire.server_hellos.back().key_share_length)
    facts.server_key_share_bytes = *wire.server_hellos.back().key_share_length;

  if (facts.handshake_success) {
    facts.handshake_summary =
        fmt::format("handshake completed ({} {} {}{}), application data verified both ways",
                    facts.version.value_or("?"), facts.cipher_suite.value_or("?"),
                    facts.group.value_or("no group"),
                    facts.hello_retry_request.value_or(false) ? ", after HelloRetryRequest" : "");
  } else {
    facts.handshake_summary = fmt::format("{}; {}", side_summary(client), side_summary(server));
  }
  return facts;
}

}  // namespace tlsmatrix
