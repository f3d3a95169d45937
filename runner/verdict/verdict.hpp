// Classifies a cell: pass, deviation, fail, unsupported or error (definitions in
// results/README.md), always with a reason a TLS engineer can act on.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cell_facts.hpp"
#include "scenario.hpp"
#include "security_note.hpp"

namespace tlsmatrix {

enum class Status { pass, deviation, fail, unsupported, error };

const char* status_name(Status status);
// For listing findings most severe first: error, fail, deviation, unsupported, pass.
int severity_rank(Status status);

struct CheckResult {
  const Expectation* expectation = nullptr;
  int connection = 1;  // the connection it was judged on, from 1
  std::string observed;
  // "pass", "fail", "deviation", or "not_evaluated" (a detail of a handshake that did not
  // happen as expected)
  std::string result;
};

struct Verdict {
  Status status = Status::error;
  std::string reason;
  std::vector<CheckResult> checks;
  nlohmann::json observations = nlohmann::json::object();  // the scenario's `record` facts
  // What the completed handshake negotiated, as security goes (an observation only).
  std::optional<SecurityNote> security;
};

// `connections` holds the facts of each connection that took place, in order: all of the
// scenario's, or fewer when one failed before the last (checks on the missing ones are not
// evaluated). Records, the security note and an unlabelled check are the last connection's.
Verdict judge(const Scenario& scenario, const std::vector<CellFacts>& connections);
Verdict judge(const Scenario& scenario, const CellFacts& facts);
Verdict unsupported_verdict(const std::vector<std::string>& client_missing,
                            const std::vector<std::string>& server_missing,
                            const std::string& client_id, const std::string& server_id);
Verdict error_verdict(const std::string& why);
// `error` because the peers' reports contradict each other, the wire or their configuration.
Verdict untrusted_verdict(const std::vector<std::string>& contradictions);

}  // namespace tlsmatrix
