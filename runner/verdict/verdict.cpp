#include "verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace tlsmatrix {
namespace {

std::string bool_text(const std::optional<bool>& b) {
  return b ? (*b ? "true" : "false") : "unknown";
}

std::string count_text(const std::optional<std::size_t>& n) {
  return n ? std::to_string(*n) : "unknown";
}

// The observed value of a fact, as the text scenarios use; "unknown" when nobody could tell.
std::string observed_value(const Expectation& e, const CellFacts& f) {
  switch (e.fact) {
    case Fact::handshake:
      return handshake_result_name(f.handshake);
    case Fact::version:
      return f.version.value_or("unknown");
    case Fact::cipher_suite:
      return f.cipher_suite.value_or("unknown");
    case Fact::group:
      return f.group.value_or("unknown");
    case Fact::hello_retry_request:
      return bool_text(f.hello_retry_request);
    case Fact::psk_used:
      return bool_text(f.psk_used);
    case Fact::psk_mode:
      return f.psk_mode.value_or("none");
    case Fact::client_hello_bytes:
      return count_text(f.client_hello_bytes);
    case Fact::client_key_share_bytes:
      return count_text(f.client_key_share_bytes);
    case Fact::server_key_share_bytes:
      return count_text(f.server_key_share_bytes);
    case Fact::alert: {
      const auto& alerts = e.from == "client" ? f.alerts_from_client : f.alerts_from_server;
      return alerts.empty() ? "no alert" : fmt::format("{}", fmt::join(alerts, ", "));
    }
  }
  return "unknown";
}

bool holds(const Expectation& e, const CellFacts& f) {
  const auto& want = e.any_of;
  if (e.fact == Fact::alert) {
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
  if (e.fact == Fact::alert) return fmt::format("{} alert from the {}", values, e.from);
  return fmt::format("{} {}", fact_name(e.fact), values);
}

}  // namespace

const char* handshake_result_name(HandshakeResult result) {
  switch (result) {
    case HandshakeResult::success:
      return "success";
    case HandshakeResult::refused:
      return "refused";
    case HandshakeResult::stalled:
      return "stalled";
  }
  return "?";
}

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
  Verdict v;
  for (const auto fact : scenario.record) {
    Expectation probe;
    probe.fact = fact;
    v.observations[fact_name(fact)] = observed_value(probe, facts);
  }
  if (!facts.inconsistencies.empty()) {
    auto untrusted = untrusted_verdict(facts.inconsistencies);
    untrusted.observations = std::move(v.observations);
    return untrusted;
  }

  // Details of a handshake only mean something when the handshake went the expected way.
  const auto handshake_check =
      std::find_if(scenario.expectations.begin(), scenario.expectations.end(),
                   [](const auto& e) { return e.fact == Fact::handshake; });
  const bool outcome_as_expected = holds(*handshake_check, facts);

  std::vector<std::string> failures, deviations;
  for (const auto& e : scenario.expectations) {
    CheckResult r{&e, observed_value(e, facts), ""};
    const bool is_outcome = &e == &*handshake_check;
    if (!is_outcome && !outcome_as_expected) {
      r.result = "not_evaluated";
    } else if (holds(e, facts)) {
      r.result = "pass";
    } else {
      // A stall is not an outcome any RFC asks for, so it never passes as a mere deviation.
      const auto severity = is_outcome && facts.handshake == HandshakeResult::stalled
                                ? Severity::fail
                                : e.on_mismatch;
      r.result = severity_name(severity);
      auto line =
          fmt::format("expected {} ({}), observed {}", expected_text(e), e.cite, r.observed);
      if (is_outcome) line += fmt::format(": {}", facts.handshake_summary);
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
    v.reason = facts.handshake_summary;
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
