#include "facts_from_run.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "client_hello_applied.hpp"
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

// The facts read from the wire and the peers, each by its row of the fact table: the wire
// decides where it could see, then the peers; a peer that contradicts the value taken makes
// the cell untrustworthy.
void read_facts(const WireObservation& wire, const std::vector<Side>& sides, CellFacts& facts) {
  for (const auto& d : fact_table()) {
    if (d.merge == Merge::client_report) {
      const auto& client = sides.front();
      if (client.outcome.handshake_ok && d.from_peer)
        if (const auto reported = d.from_peer(client.outcome)) {
          facts.values[d.fact] = *reported;
          facts.sources[d.name] = "client peer";
        }
      continue;
    }
    if (d.merge != Merge::wire_then_peers && d.merge != Merge::wire_only) continue;
    std::optional<std::string> value = d.from_wire ? d.from_wire(wire) : std::nullopt;
    std::string source = "wire";
    if (d.merge == Merge::wire_then_peers && d.from_peer) {
      for (const auto& s : sides) {
        if (!s.outcome.handshake_ok) continue;
        const auto reported = d.from_peer(s.outcome);
        if (!reported) continue;
        if (!value) {
          value = reported;
          source = fmt::format("{} peer", s.role);
        } else if (*value != *reported) {
          facts.inconsistencies.push_back(
              fmt::format("{} peer {} reports {} {} but the {} shows {}", s.role, s.peer_id, d.name,
                          *reported, source, *value));
        }
      }
    }
    if (!value) continue;
    facts.values[d.fact] = *value;
    facts.sources[d.name] = source;
  }
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

CellFacts facts_from_run(const ConnectionRun& run, const WireObservation& wire,
                         const CellRequest& request, const Capabilities& client_capabilities) {
  CellFacts facts;
  const Side client{"client", request.client->id, *run.client};
  // A running server (certify --server) reports nothing: the client and the wire speak for it.
  std::vector<Side> sides{client};
  if (run.server) sides.push_back({"server", request.server->id, *run.server});

  // A side that stopped while configuring was judged before facts (refusal.hpp).
  check_wire_shows_handshake(wire, sides, facts);

  facts.handshake = handshake_result(sides);
  read_facts(wire, sides, facts);

  // Alerts: each side's own word, the other side's, and the plaintext records.
  if (is_refusal_alert(client.outcome.alert_sent))
    add_alert(facts.alerts_from_client, client.outcome.alert_sent->name);
  if (run.server && is_refusal_alert(run.server->alert_received))
    add_alert(facts.alerts_from_client, run.server->alert_received->name);
  if (run.server && is_refusal_alert(run.server->alert_sent))
    add_alert(facts.alerts_from_server, run.server->alert_sent->name);
  if (is_refusal_alert(client.outcome.alert_received))
    add_alert(facts.alerts_from_server, client.outcome.alert_received->name);
  for (const auto& a : wire.client_to_server.plaintext_alerts)
    if (a.name != "close_notify") add_alert(facts.alerts_from_client, a.name);
  for (const auto& a : wire.server_to_client.plaintext_alerts)
    if (a.name != "close_notify") add_alert(facts.alerts_from_server, a.name);

  for (auto& c : client_hello_contradictions(wire, {request.client->id, request.client_config,
                                                    client_capabilities.has(Feature::group_order)}))
    facts.inconsistencies.push_back(std::move(c));

  if (facts.handshake == HandshakeResult::stalled) {
    facts.handshake_summary = stall_summary(sides, wire);
  } else if (facts.handshake == HandshakeResult::success) {
    facts.handshake_summary = fmt::format(
        "handshake completed ({} {} {}{}), application data {}",
        facts.value(Fact::version).value_or("?"), facts.value(Fact::cipher_suite).value_or("?"),
        facts.value(Fact::group).value_or("no group"),
        facts.value(Fact::hello_retry_request) == "true" ? ", after HelloRetryRequest" : "",
        run.server ? "verified both ways" : "echoed back by the running server");
  } else {
    facts.handshake_summary =
        run.server ? fmt::format("{}; {}", side_summary(client), side_summary(sides.back()))
                   : fmt::format("{}; the running server reports nothing", side_summary(client));
  }
  return facts;
}

}  // namespace tlsmatrix
