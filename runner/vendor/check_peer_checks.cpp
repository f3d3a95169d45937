// The checks of `tlsmatrix check-peer`, one row each in kChecks at the bottom. Each sends the
// peer something through the runner's process machinery (peer_steps.hpp, which runs it in the
// peer jail with a deadline) and judges what came back against peers/PROTOCOL.md.
#include "check_peer_checks.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <functional>
#include <regex>

#include "peer_steps.hpp"
#include "protocol_json.hpp"
#include "test_pki.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix {

using nlohmann::json;

namespace {

CheckFinding passed(std::string text) {
  return {CheckStatus::pass, std::move(text), ""};
}

CheckFinding skipped(std::string text) {
  return {CheckStatus::skip, std::move(text), ""};
}

CheckFinding failed(std::string text, std::string sent = "") {
  return {CheckStatus::fail, std::move(text), std::move(sent)};
}

std::string shown(const json& value, std::size_t max = 80) {
  return excerpt(value.dump(), max);
}

// Problems found, then what came back: the `got` part of a failure.
std::string problems_then(const std::vector<std::string>& problems, const std::string& came_back) {
  return fmt::format("{} (it ended with {})", fmt::join(problems, "; "), came_back);
}

// Every stdout line that is not a protocol event, as problems.
void non_events(const std::vector<PrintedLine>& lines, const std::string& who,
                std::vector<std::string>& problems) {
  for (const auto& line : lines)
    if (!line.event)
      problems.push_back(
          fmt::format("{}printed a line that {}: '{}'", who, line.problem, excerpt(line.text, 80)));
}

std::vector<const json*> events_of(const std::vector<PrintedLine>& lines) {
  std::vector<const json*> out;
  for (const auto& line : lines)
    if (line.event) out.push_back(&*line.event);
  return out;
}

std::string kind_of(const json& event) {
  return event["event"].get<std::string>();
}

// ---- capabilities ----

CheckFinding check_capabilities(CheckContext& c) {
  const auto run = invoke_peer(c.options.command, c.options.root, {"--capabilities"}, "",
                               c.options.timeout, c.cancelled);
  c.capabilities_problem = "its --capabilities answer failed the capabilities check";
  if (!run.exited()) return failed(run.came_back());
  std::vector<std::string> problems;
  if (run.run.exit_code != 0) problems.push_back(fmt::format("it ended with {}", run.ending()));
  non_events(run.lines, "", problems);
  const auto events = events_of(run.lines);
  if (run.lines.size() != 1)
    problems.push_back(fmt::format("{} lines on stdout where one was due", run.lines.size()));
  std::optional<Capabilities> capabilities;
  if (!events.empty()) {
    const auto& event = *events.front();
    if (kind_of(event) != "capabilities") {
      problems.push_back(fmt::format("the event is '{}', not 'capabilities'", kind_of(event)));
    } else {
      // The runner's own reader: what it refuses, check-peer refuses, in the same words.
      try {
        capabilities = capabilities_from_json(event);
      } catch (const std::exception& e) {
        problems.push_back(fmt::format("the event does not read as capabilities: {}", e.what()));
      }
    }
  }
  if (!problems.empty()) return failed(problems_then(problems, run.came_back()));
  c.capabilities = capabilities;
  c.capabilities_problem.clear();
  return passed(fmt::format(
      "one 'capabilities' event, exit 0: stack {}, {} {}, {} versions, {} groups, {} cipher "
      "suites, features [{}], serve {}",
      capabilities->stack, capabilities->library, capabilities->version,
      capabilities->versions.size(), capabilities->groups.size(),
      capabilities->cipher_suites.size(),
      fmt::join(events.front()->value("features", std::vector<std::string>{}), ", "),
      capabilities->serve));
}

// ---- --help ----

CheckFinding check_help(CheckContext& c) {
  const auto run = invoke_peer(c.options.command, c.options.root, {"--help"}, "", c.options.timeout,
                               c.cancelled);
  if (!run.exited()) return failed(run.came_back());
  std::vector<std::string> problems;
  if (run.run.exit_code != 0) problems.push_back(fmt::format("it ended with {}", run.ending()));
  if (run.run.stdout_text.find_first_not_of(" \t\r\n") == std::string::npos)
    problems.push_back("it printed no usage text on stdout");
  if (!problems.empty())
    return failed(fmt::format("{}; stdout: '{}'", fmt::join(problems, "; "),
                              excerpt(run.run.stdout_text, 80)));
  return passed(fmt::format("exit 0 and {} bytes of usage text", run.run.stdout_text.size()));
}

// ---- requests a peer must turn down with an `error` event and exit status 2 ----

// `message_problem` says what is wrong with the error's message, or "".
using MessageCheck = std::function<std::string(const std::string& message)>;

CheckFinding expect_error(CheckContext& c, const std::string& stdin_text,
                          const MessageCheck& message_problem = {}) {
  const auto run = invoke_peer(c.options.command, c.options.root, {}, stdin_text, c.options.timeout,
                               c.cancelled);
  if (!run.exited()) return failed(run.came_back());
  std::vector<std::string> problems;
  if (run.run.exit_code != 2)
    problems.push_back(fmt::format("it ended with {}, not exit status 2", run.ending()));
  non_events(run.lines, "", problems);
  const auto events = events_of(run.lines);
  std::string message;
  if (events.size() != 1 || kind_of(*events.front()) != "error") {
    problems.push_back(
        fmt::format("{} where one 'error' event was due", events_summary(run.lines)));
  } else if (const auto m = events.front()->find("message");
             m == events.front()->end() || !m->is_string()) {
    problems.push_back("the 'error' event has no \"message\" string");
  } else {
    message = m->get<std::string>();
    if (message_problem)
      if (auto p = message_problem(message); !p.empty()) problems.push_back(std::move(p));
  }
  if (!problems.empty()) return failed(problems_then(problems, run.came_back()));
  return passed(fmt::format("'error' event (\"{}\"), exit status 2", excerpt(message, 100)));
}

json quick_request(const CheckContext& c) {
  return request_json(1, c.quick_client());
}

bool names_number(const std::string& text, int number) {
  const std::regex whole(fmt::format("(^|[^0-9]){}([^0-9]|$)", number));
  return std::regex_search(text, whole);
}

constexpr int kOtherProtocol = kPeerProtocolVersion - 1;

CheckFinding check_version_mismatch(CheckContext& c) {
  auto request = quick_request(c);
  request["protocol"] = kOtherProtocol;
  return expect_error(c, request.dump() + "\n", [](const std::string& message) {
    std::vector<std::string> missing;
    for (const int v : {kOtherProtocol, kPeerProtocolVersion})
      if (!names_number(message, v)) missing.push_back(std::to_string(v));
    return missing.empty() ? std::string()
                           : fmt::format("its message does not name version {}: \"{}\"",
                                         fmt::join(missing, " nor "), excerpt(message, 100));
  });
}

CheckFinding check_not_json(CheckContext& c) {
  return expect_error(c, "this is not a JSON request\n");
}

CheckFinding check_truncated_json(CheckContext& c) {
  const auto text = quick_request(c).dump();
  return expect_error(c, text.substr(0, text.size() / 2));
}

CheckFinding check_not_object(CheckContext& c) {
  return expect_error(c, json::array({quick_request(c)}).dump() + "\n");
}

constexpr const char* kUnknownKey = "groupz";

CheckFinding check_unknown_key(CheckContext& c) {
  auto request = quick_request(c);
  request["config"][kUnknownKey] = json::array({"x25519"});
  return expect_error(c, request.dump() + "\n");
}

// ---- a refusal ----

// A setting the peer's own capabilities say it cannot honour, as a client.
struct Unhonourable {
  std::string key;          // the endpoint configuration key it must name in `refused`
  std::string description;  // for the message
  EndpointConfig config;
};

std::optional<Unhonourable> unhonourable_setting(const CheckContext& c) {
  const auto& caps = *c.capabilities;
  for (const auto& group : known_groups()) {
    const auto it = caps.groups.find(std::string(group.name));
    if (it != caps.groups.end() && it->second.client) continue;
    auto config = c.quick_client();
    config.groups = {std::string(group.name)};
    return Unhonourable{
        "groups",
        fmt::format("a client request with \"groups\": [\"{}\"], a group its capabilities do not "
                    "list for the client role",
                    group.name),
        std::move(config)};
  }
  if (!caps.has(Feature::fallback_scsv)) {
    auto config = c.quick_client();
    config.fallback_scsv = true;
    return Unhonourable{"fallback_scsv",
                        "a client request with \"fallback_scsv\": true, a feature its "
                        "capabilities do not list",
                        std::move(config)};
  }
  if (!caps.has(Feature::cert_with_extern_psk)) {
    auto config = c.quick_client();
    config.cert_with_extern_psk = true;
    return Unhonourable{"cert_with_extern_psk",
                        "a client request with \"cert_with_extern_psk\": true, a feature its "
                        "capabilities do not list",
                        std::move(config)};
  }
  return std::nullopt;
}

CheckFinding check_refusal(CheckContext& c) {
  if (!c.capabilities)
    return skipped("not applicable: no capabilities to choose a setting from (" +
                   c.capabilities_problem + ")");
  const auto setting = unhonourable_setting(c);
  if (!setting)
    return skipped(
        "not applicable: its capabilities list every group for the client role and the "
        "features fallback_scsv and cert_with_extern_psk, so they name nothing it cannot honour");
  const auto run =
      invoke_peer(c.options.command, c.options.root, {},
                  request_json(1, setting->config).dump() + "\n", c.options.timeout, c.cancelled);
  if (!run.exited()) return failed(run.came_back(), setting->description);
  std::vector<std::string> problems;
  if (run.run.exit_code != 0)
    problems.push_back(fmt::format("it ended with {}, not exit status 0", run.ending()));
  non_events(run.lines, "", problems);
  const auto events = events_of(run.lines);
  std::string reason;
  if (events.size() != 1 || kind_of(*events.front()) != "result") {
    problems.push_back(
        fmt::format("{} where one 'result' event was due", events_summary(run.lines)));
  } else {
    const auto& e = *events.front();
    const auto outcome = e.value("outcome", json(nullptr));
    const auto refused = outcome.is_object() ? outcome.value("refused", json(nullptr)) : json();
    if (e.value("connection", json(nullptr)) != 1)
      problems.push_back(fmt::format("the result's \"connection\" is {}, not 1",
                                     shown(e.value("connection", json(nullptr)))));
    if (!outcome.is_object()) {
      problems.push_back("the result has no \"outcome\" object");
    } else if (!refused.is_object()) {
      problems.push_back(fmt::format(
          "the result does not refuse (\"refused\": {}, stage {}): the peer went on with a "
          "setting it cannot honour",
          shown(refused), shown(outcome.value("stage", json(nullptr)))));
    } else {
      if (refused.value("setting", json(nullptr)) != setting->key)
        problems.push_back(fmt::format("\"refused\" names the setting {}, not \"{}\"",
                                       shown(refused.value("setting", json(nullptr))),
                                       setting->key));
      if (!refused.contains("reason") || !refused["reason"].is_string())
        problems.push_back("\"refused\" has no \"reason\" string");
      else
        reason = refused["reason"].get<std::string>();
      if (outcome.value("stage", json(nullptr)) != "configure")
        problems.push_back(fmt::format("its stage is {}, not \"configure\"",
                                       shown(outcome.value("stage", json(nullptr)))));
      if (outcome.value("handshake_ok", json(nullptr)) != false)
        problems.push_back("its \"handshake_ok\" is not false");
    }
  }
  if (!problems.empty())
    return failed(problems_then(problems, run.came_back()), setting->description);
  return {CheckStatus::pass,
          fmt::format("refused \"{}\" at stage configure (\"{}\"), exit 0", setting->key,
                      excerpt(reason, 80)),
          setting->description};
}

// ---- a real handshake between two instances ----

constexpr int kHandshakeConnections = 2;

// The events of one side of the pair, judged; the outcomes of its results, in order.
std::vector<HandshakeOutcome> judge_side(const LivePeer& peer, Role role,
                                         std::vector<std::string>& problems) {
  const auto who = fmt::format("the {} ", role_name(role));
  non_events(peer.lines, who, problems);
  std::vector<HandshakeOutcome> outcomes;
  bool listened = false, stopped = false;
  for (const auto* event : events_of(peer.lines)) {
    const auto kind = kind_of(*event);
    if (kind == "listening" && role == Role::server) {
      if (listened) problems.push_back(who + "sent 'listening' twice");
      if (!outcomes.empty())
        problems.push_back(who +
                           "sent 'result' before 'listening' (a server announces its port "
                           "before it reports on a connection)");
      listened = true;
      continue;
    }
    if (kind != "result") {
      problems.push_back(
          fmt::format("{}sent an unexpected '{}' event: '{}'", who, kind, shown(*event, 100)));
      continue;
    }
    const auto wanted = static_cast<std::int64_t>(outcomes.size()) + 1;
    const auto connection = event->value("connection", json(nullptr));
    if (stopped) {
      problems.push_back(fmt::format("{}sent a 'result' after the result that ended it", who));
      continue;
    }
    if (!connection.is_number_integer() || connection.get<std::int64_t>() != wanted)
      problems.push_back(fmt::format("{}sent a 'result' with \"connection\": {} where {} was due",
                                     who, shown(connection), wanted));
    if (wanted > kHandshakeConnections)
      problems.push_back(fmt::format("{}sent a result for connection {} of {}", who, wanted,
                                     kHandshakeConnections));
    try {
      outcomes.push_back(outcome_from_json(event->at("outcome")));
    } catch (const std::exception& e) {
      problems.push_back(fmt::format("{}sent a malformed result: {}", who, e.what()));
      outcomes.emplace_back();
      outcomes.back().error = "(malformed)";
    }
    if (outcomes.back().stage != Stage::done) stopped = true;
  }
  const bool configure_failed = !outcomes.empty() && outcomes.front().stage == Stage::configure;
  if (role == Role::server && !listened && !configure_failed)
    problems.push_back(outcomes.empty() ? who + "sent no 'listening' event"
                                        : fmt::format("{}sent 'result' (stage {}) without "
                                                      "'listening'",
                                                      who, stage_name(outcomes.front().stage)));
  if (peer.started && !peer.lines.empty() && peer.lines.back().event &&
      kind_of(*peer.lines.back().event) != "result")
    problems.push_back(fmt::format("{}'s last event is '{}', not a 'result'", role_name(role),
                                   kind_of(*peer.lines.back().event)));
  if (peer.started && outcomes.empty()) problems.push_back(who + "sent no 'result'");
  if (!outcomes.empty() && outcomes.back().stage == Stage::done &&
      outcomes.size() < kHandshakeConnections)
    problems.push_back(fmt::format("{}reported {} of {} connections", who, outcomes.size(),
                                   kHandshakeConnections));
  if (peer.started && peer.exit_code != 0)
    problems.push_back(fmt::format("{}ended with {}, not exit status 0", who, peer.ending));
  return outcomes;
}

std::string outcome_brief(const HandshakeOutcome& o) {
  if (o.stage == Stage::done) return fmt::format("done, {}", o.version.value_or("version unknown"));
  auto text = fmt::format("stage {}", stage_name(o.stage));
  if (o.refused) text += fmt::format(", refused {} ({})", o.refused->setting, o.refused->reason);
  if (o.timed_out) text += ", timed out";
  if (!o.error.empty()) text += fmt::format(", error '{}'", excerpt(o.error, 100));
  return text;
}

CheckFinding check_handshake(CheckContext& c) {
  const TestPki pki(c.options.pki_dir);
  const auto timeout_ms =
      static_cast<std::uint32_t>(std::max<std::int64_t>(c.options.timeout.count() / 4, 1000));
  EndpointConfig server;
  server.role = Role::server;
  server.certificate = pki.certified_key("server-ecdsa-p256");
  server.connections = kHandshakeConnections;
  server.timeout_ms = timeout_ms;
  EndpointConfig client;
  client.role = Role::client;
  client.trust_anchors_pem = pki.trust_anchors({"ca-ecdsa"});
  client.server_name = "server.tlsmatrix.test";
  client.connections = kHandshakeConnections;
  client.timeout_ms = timeout_ms;
  client.send_data = server.expect_data = "tlsmatrix check-peer: client to server";
  server.send_data = client.expect_data = "tlsmatrix check-peer: server to client";

  const auto run =
      run_pair(c.options.command, c.options.root, server, client, c.options.timeout, c.cancelled);
  const auto came_back = [&] {
    return fmt::format("server: {}. client: {}", run.server.came_back(), run.client.came_back());
  };
  if (!run.server.started) return failed(came_back());
  std::vector<std::string> problems;
  if (run.timed_out)
    problems.push_back(
        fmt::format("the two peers did not finish within {} ms (their process groups were killed)",
                    c.options.timeout.count()));
  if (run.cancelled) problems.push_back("interrupted (Ctrl-C)");
  if (!run.listening_problem.empty()) problems.push_back("the server: " + run.listening_problem);
  const auto server_outcomes = judge_side(run.server, Role::server, problems);
  const auto client_outcomes = judge_side(run.client, Role::client, problems);
  // A peer that cannot complete a default TLS handshake with itself would make every cell of
  // the matrix fail; the order of a completed cell's events cannot be checked either.
  for (const auto* side : {&server_outcomes, &client_outcomes})
    for (std::size_t i = 0; i < side->size(); ++i)
      if ((*side)[i].stage != Stage::done)
        problems.push_back(fmt::format("the {}'s connection {} did not complete: {}",
                                       side == &server_outcomes ? "server" : "client", i + 1,
                                       outcome_brief((*side)[i])));
  if (!problems.empty()) return failed(problems_then(problems, came_back()));
  return passed(fmt::format(
      "server: 'listening', then {} results; client: {} results; {} connections, each done ({}); "
      "both exit 0",
      server_outcomes.size(), client_outcomes.size(), kHandshakeConnections,
      outcome_brief(client_outcomes.front())));
}

// ---- serving many requests ----

CheckFinding check_serve(CheckContext& c) {
  if (!c.capabilities)
    return skipped("not applicable: no capabilities to read \"serve\" from (" +
                   c.capabilities_problem + ")");
  if (!c.capabilities->serve)
    return skipped(
        "not applicable: its capabilities do not say \"serve\": true, so the runner starts a "
        "process per request");
  constexpr std::uint64_t kRequests = 2;
  std::string input;
  for (std::uint64_t r = 1; r <= kRequests; ++r)
    input += request_json(r, c.quick_client()).dump() + "\n";
  const auto run = invoke_peer(c.options.command, c.options.root, {"--serve"}, input,
                               c.options.timeout, c.cancelled);
  if (!run.exited()) return failed(run.came_back());
  std::vector<std::string> problems;
  if (run.run.exit_code != 0)
    problems.push_back(
        fmt::format("it ended with {} at the end of stdin, not exit status 0", run.ending()));
  non_events(run.lines, "", problems);
  std::uint64_t serving = 1, served = 0;
  bool answered = false;  // the request being served had a result
  for (const auto* event : events_of(run.lines)) {
    const auto kind = kind_of(*event);
    const auto number = event->value("request", json(nullptr));
    if (serving > kRequests) {
      problems.push_back(fmt::format("an event after the last 'served': '{}'", shown(*event)));
      break;
    }
    if (!number.is_number_unsigned() || number.get<std::uint64_t>() != serving)
      problems.push_back(
          fmt::format("its '{}' event carries \"request\": {} while request {} "
                      "was being served",
                      kind, number.is_null() ? "nothing" : shown(number), serving));
    if (kind == "served") {
      if (!answered)
        problems.push_back(fmt::format("request {}: 'served' without a 'result'", serving));
      ++served, ++serving, answered = false;
    } else if (kind == "result") {
      answered = true;
    } else {
      problems.push_back(fmt::format("an unexpected '{}' event for request {}: '{}'", kind, serving,
                                     shown(*event)));
    }
  }
  if (served != kRequests)
    problems.push_back(fmt::format("{} 'served' events for {} requests", served, kRequests));
  if (!problems.empty()) return failed(problems_then(problems, run.came_back()));
  return passed(fmt::format(
      "{} requests, each answered by its own 'result' and 'served' with its \"request\" echoed; "
      "exit 0 at the end of stdin",
      kRequests));
}

// clang-format off
constexpr std::array kChecks{
  PeerCheck{"capabilities", "PEER --capabilities",
            "capabilities (Events) and Command line",
            "one line on stdout, a 'capabilities' event with \"protocol\": 6 and every field "
            "with its type, then exit status 0",
            check_capabilities},
  PeerCheck{"help", "PEER --help", "Command line", "usage text on stdout and exit status 0",
            check_help},
  PeerCheck{"version-mismatch", "a request whose \"protocol\" is 5",
            "the introduction (\"Every request and event carries\")",
            "an 'error' event naming both versions, then exit status 2",
            check_version_mismatch},
  PeerCheck{"malformed-not-json", "a stdin that is not JSON",
            "Transport rules and error (Events)",
            "an 'error' event, then exit status 2 (no crash, no hang)", check_not_json},
  PeerCheck{"malformed-truncated-json", "the first half of a valid request",
            "Transport rules and error (Events)",
            "an 'error' event, then exit status 2 (no crash, no hang)", check_truncated_json},
  PeerCheck{"malformed-not-object", "a valid request inside a JSON list",
            "Transport rules and error (Events)",
            "an 'error' event, then exit status 2 (no crash, no hang)", check_not_object},
  PeerCheck{"unknown-config-key", "a request whose config has the unknown key \"groupz\"",
            "Endpoint configuration (\"Unknown keys are an error\")",
            "an 'error' event, then exit status 2", check_unknown_key},
  PeerCheck{"refusal", "a setting its capabilities say it cannot honour",
            "Endpoint configuration, Stages and result (\"refused\")",
            "one 'result' for connection 1 with stage configure, handshake_ok false and "
            "\"refused\" naming the setting, then exit status 0",
            check_refusal},
  PeerCheck{"handshake",
            "a server request (ECDSA P-256 certificate, 2 connections), then a client request "
            "connecting to the port it announced, both with default TLS settings",
            "Transport rules, Stages and Connections",
            "stdout lines that are events only; the server's 'listening' before any result; one "
            "'result' per connection with its \"connection\", the last event; both done and exit "
            "status 0",
            check_handshake},
  PeerCheck{"serve", "PEER --serve with 2 client requests on stdin, then end of stdin",
            "Serving many requests",
            "every event of a request carrying its \"request\", one 'served' after each request's "
            "last event, exit status 0 at the end of stdin",
            check_serve},
};
// clang-format on

}  // namespace

EndpointConfig CheckContext::quick_client() const {
  EndpointConfig config;
  config.role = Role::client;
  config.connect_host = "127.0.0.1";
  config.connect_port = refusing_port;
  config.timeout_ms = 1000;
  return config;
}

std::span<const PeerCheck> peer_checks() {
  return kChecks;
}

}  // namespace tlsmatrix
