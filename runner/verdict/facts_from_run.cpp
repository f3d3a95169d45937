#include "facts_from_run.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "client_hello_applied.hpp"
#include "observation_queries.hpp"
#include "tls_registry.hpp"
#include "wire_last_messages.hpp"

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

constexpr std::uint16_t kTls12 = 0x0303;

// In TLS 1.2 a PSK is used exactly when the ServerHello selects a suite of a PSK key exchange:
// PSK, DHE_PSK and RSA_PSK (RFC 4279 §2-4, with AES-GCM in RFC 5487) or ECDHE_PSK (RFC 5489).
// Their IANA names are TLS_<key exchange>_WITH_<cipher>.
bool is_tls12_psk_suite(std::uint16_t code) {
  const auto suite = cipher_suite_by_code(code);
  if (!suite || suite->tls13) return false;
  const auto with = suite->name.find("_WITH_");
  if (!suite->name.starts_with("TLS_") || with == std::string_view::npos) return false;
  const auto key_exchange = suite->name.substr(4, with - 4);
  return key_exchange == "PSK" || key_exchange.ends_with("_PSK");
}

// A peer that reports a completed handshake the relay never saw is not believed: its report
// is all the verdict would rest on.
void check_wire_shows_handshake(const WireObservation& wire, const std::vector<Side>& sides,
                                CellFacts& facts) {
  std::vector<std::string> claimants, missing;
  for (const auto& s : sides)
    if (s.outcome.handshake_ok) claimants.push_back(fmt::format("{} peer {}", s.role, s.peer_id));
  if (wire.client_hellos.empty()) missing.emplace_back("no ClientHello");
  if (wire.server_hellos.empty()) missing.emplace_back("no ServerHello");
  if (claimants.empty() || missing.empty()) return;
  facts.inconsistencies.push_back(fmt::format(
      "{} report{} a completed handshake but the wire shows no handshake ({}; the relay saw {} "
      "bytes client->server, {} server->client)",
      fmt::join(claimants, " and "), claimants.size() == 1 ? "s" : "", fmt::join(missing, ", "),
      wire.client_to_server.total_bytes, wire.server_to_client.total_bytes));
}

// Who gave up waiting on whom, and where the wire stopped, for the reason of a stall.
std::string stall_summary(const std::vector<Side>& sides, const WireObservation& wire) {
  std::vector<std::string> parts;
  for (const auto& s : sides)
    parts.push_back(s.outcome.timed_out
                        ? fmt::format("{} {} timed out in {} waiting for the {}", s.role, s.peer_id,
                                      stage_name(s.outcome.stage),
                                      std::string_view(s.role) == "client" ? "server" : "client")
                        : side_summary(s));
  return fmt::format("handshake stalled: {}; last on the wire: {}", fmt::join(parts, "; "),
                     last_messages_on_wire(wire));
}

HandshakeResult handshake_result(const std::vector<Side>& sides) {
  if (std::all_of(sides.begin(), sides.end(),
                  [](const Side& s) { return s.outcome.stage == Stage::done; }))
    return HandshakeResult::success;
  if (std::any_of(sides.begin(), sides.end(), [](const Side& s) { return s.outcome.timed_out; }))
    return HandshakeResult::stalled;
  return HandshakeResult::refused;
}

}  // namespace

CellFacts facts_from_run(const CellRun& run, const WireObservation& wire,
                         const CellRequest& request, const Capabilities& client_capabilities) {
  CellFacts facts;
  const Side client{"client", request.client->id, *run.client.outcome};
  const Side server{"server", request.server->id, *run.server.outcome};
  const std::vector<Side> sides{client, server};

  // A side that stopped while configuring was judged before facts (refusal.hpp).
  check_wire_shows_handshake(wire, sides, facts);

  facts.handshake = handshake_result(sides);
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
    const bool tls12_psk =
        wire.version == kTls12 && wire.cipher_suite && is_tls12_psk_suite(*wire.cipher_suite);
    const bool psk_used = wire.psk_accepted || tls12_psk;
    facts.psk_used = psk_used;
    facts.sources["psk_used"] = "wire";
    // PSK key exchange modes exist in TLS 1.3 only (RFC 8446 §4.2.9): a TLS 1.2 PSK has none.
    facts.psk_mode = accepted_psk_mode(wire);
    for (const auto& s : sides)
      if (s.outcome.handshake_ok && s.outcome.psk_used != psk_used)
        facts.inconsistencies.push_back(fmt::format(
            "{} peer {} reports psk used = {} but the ServerHello says {}{}", s.role, s.peer_id,
            s.outcome.psk_used, psk_used,
            tls12_psk
                ? fmt::format(" (TLS 1.2 PSK suite {})", cipher_suite_name(*wire.cipher_suite))
                : ""));
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

  for (auto& c : client_hello_contradictions(wire, {request.client->id, request.client_config,
                                                    client_capabilities.has(Feature::group_order)}))
    facts.inconsistencies.push_back(std::move(c));

  if (!wire.client_hellos.empty()) {
    const auto& hello = wire.client_hellos.front();
    facts.client_hello_bytes = hello.message_length;
    std::size_t shares = 0;
    for (const auto& ks : hello.key_shares) shares += ks.key_exchange_length;
    facts.client_key_share_bytes = shares;
  }
  if (!wire.server_hellos.empty() && wire.server_hellos.back().key_share_length)
    facts.server_key_share_bytes = *wire.server_hellos.back().key_share_length;

  if (facts.handshake == HandshakeResult::stalled) {
    facts.handshake_summary = stall_summary(sides, wire);
  } else if (facts.handshake == HandshakeResult::success) {
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
