#include "verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace tlsmatrix {
namespace {

// The observed value of a fact, as the text scenarios use.
std::string observed_value(const Expectation& e, const CellFacts& f) {
  return f.text(e.fact, e.from);
}

bool holds(const Expectation& e, const CellFacts& f) {
  const auto& want = e.any_of;
  if (definition(e.fact).merge == Merge::alerts_per_sender) {
    // Any of the alerts the sender sent will do.
    const auto& alerts = e.from == "client" ? f.alerts_from_client : f.alerts_from_server;
    return std::any_of(alerts.begin(), alerts.end(), [&](const auto& a) {
      return std::find(want.begin(), want.end(), a) != want.end();
    });
  }
  const auto value = observed_value(e, f);
  return std::find(want.begin(), want.end(), value) != want.end();
}

std::string expected_text(const Expectation& e) {
  const auto values =
      e.any_of.size() == 1 ? e.any_of.front() : fmt::format("one of {}", fmt::join(e.any_of, ", "));
  if (definition(e.fact).merge == Merge::alerts_per_sender)
    return fmt::format("{} alert from the {}", values, e.from);
  return fmt::format("{} {}", fact_name(e.fact), values);
}

}  // namespace

const char* status_name(Status status) {
  switch (status) {
    case Status::pass:
      return "pass";
    case Status::deviation:
      return "deviation";
    case Status::fail:
      return "fail";
    case Status::unsupported:
      return "unsupported";
    case Status::error:
      return "error";
  }
  return "?";
}

int severity_rank(Status status) {
  switch (status) {
    case Status::error:
      return 0;
    case Status::fail:
      return 1;
    case Status::deviation:
      return 2;
    case Status::unsupported:
      return 3;
    case Status::pass:
      return 4;
  }
  return 5;
}

Verdict judge(const Scenario& scenario, const CellFacts& facts) {
  return judge(scenario, std::vector<CellFacts>{facts});
}

Verdict judge(const Scenario& scenario, const std::vector<CellFacts>& connections) {
  const int count = std::max(1, scenario.connections());
  const bool several = count > 1;
  // "connection 2: " before what a reason says of one connection, when there are several.
  const auto label = [&](int connection) {
    return several ? fmt::format("connection {}: ", connection) : std::string();
  };
  const auto connection_of = [&](const Expectation& e) {
    return e.connection == 0 ? count : e.connection;
  };
  const auto facts_of = [&](int connection) -> const CellFacts* {
    const auto index = static_cast<std::size_t>(connection - 1);
    return index < connections.size() ? &connections[index] : nullptr;
  };

  Verdict v;
  const CellFacts* last = facts_of(count);
  if (last) {
    for (const auto fact : scenario.record)
      v.observations[fact_name(fact)] = fact_json(fact, last->text(fact));
    v.security = security_note(*last);
  }
  std::vector<std::string> contradictions;
  for (std::size_t i = 0; i < connections.size(); ++i)
    for (const auto& c : connections[i].inconsistencies)
      contradictions.push_back(label(static_cast<int>(i) + 1) + c);
  if (!contradictions.empty()) {
    auto untrusted = untrusted_verdict(contradictions);
    untrusted.observations = std::move(v.observations);
    return untrusted;
  }

  // Details of a handshake only mean something when the handshake went the expected way: per
  // connection, its own `handshake` check decides.
  const auto outcome_as_expected = [&](int connection, const CellFacts& facts) {
    const auto check = std::find_if(
        scenario.expectations.begin(), scenario.expectations.end(), [&](const Expectation& e) {
          return e.fact == Fact::handshake && connection_of(e) == connection;
        });
    return check == scenario.expectations.end() || holds(*check, facts);
  };

  std::vector<std::string> failures, deviations;
  for (const auto& e : scenario.expectations) {
    const int connection = connection_of(e);
    const CellFacts* facts = facts_of(connection);
    CheckResult r{&e, connection, "", ""};
    if (!facts) {
      // An earlier connection failed, so this one never happened; that one's checks say why.
      r.observed = "not reached";
      r.result = "not_evaluated";
      v.checks.push_back(std::move(r));
      continue;
    }
    r.observed = observed_value(e, *facts);
    const bool is_outcome = e.fact == Fact::handshake;
    // A whatever_the_outcome check on a fact no source could tell (no ServerHello) has nothing
    // to judge.
    const bool unjudgeable =
        e.whatever_the_outcome ? !facts->value(e.fact) : !outcome_as_expected(connection, *facts);
    if (!is_outcome && unjudgeable) {
      r.result = "not_evaluated";
    } else if (holds(e, *facts)) {
      r.result = "pass";
    } else {
      // A stall is not an outcome any RFC asks for, so it never passes as a mere deviation.
      const auto severity = is_outcome && facts->handshake == HandshakeResult::stalled
                                ? Severity::fail
                                : e.on_mismatch;
      r.result = severity_name(severity);
      auto line = fmt::format("{}expected {} ({}), observed {}", label(connection),
                              expected_text(e), e.cite, r.observed);
      if (is_outcome) line += fmt::format(": {}", facts->handshake_summary);
      (severity == Severity::fail ? failures : deviations).push_back(std::move(line));
    }
    v.checks.push_back(std::move(r));
  }
  if (!failures.empty()) {
    v.status = Status::fail;
    v.reason = fmt::format("{}", fmt::join(failures, "; "));
  } else if (!deviations.empty()) {
    v.status = Status::deviation;
    v.reason = fmt::format("{}", fmt::join(deviations, "; "));
  } else {
    v.status = Status::pass;
    std::vector<std::string> summaries;
    for (std::size_t i = 0; i < connections.size(); ++i)
      summaries.push_back(label(static_cast<int>(i) + 1) + connections[i].handshake_summary);
    v.reason = fmt::format("{}", fmt::join(summaries, "; "));
  }
  return v;
}

Verdict unsupported_verdict(const std::vector<std::string>& client_missing,
                            const std::vector<std::string>& server_missing,
                            const std::string& client_id, const std::string& server_id) {
  Verdict v;
  v.status = Status::unsupported;
  std::vector<std::string> parts;
  if (!client_missing.empty())
    parts.push_back(fmt::format("client {} {}", client_id, fmt::join(client_missing, ", ")));
  if (!server_missing.empty())
    parts.push_back(fmt::format("server {} {}", server_id, fmt::join(server_missing, ", ")));
  v.reason = fmt::format("{}", fmt::join(parts, "; "));
  return v;
}

Verdict untrusted_verdict(const std::vector<std::string>& contradictions) {
  return error_verdict(
      fmt::format("the peers' reports cannot be trusted: {}", fmt::join(contradictions, "; ")));
}

Verdict error_verdict(const std::string& why) {
  Verdict v;
  v.status = Status::error;
  v.reason = why;
  return v;
}

}  // namespace tlsmatrix
