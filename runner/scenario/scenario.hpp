// The in-memory form of a suite file (suites/*.yaml, format in suites/README.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "fact.hpp"
#include "features.hpp"
#include "mutation.hpp"

namespace tlsmatrix {

// What happens to the cell when a check does not hold.
enum class Severity { fail, deviation };

struct Expectation {
  Fact fact = Fact::handshake;
  std::vector<std::string> any_of;  // the check holds when the observed value is one of these
  std::string from;                 // alert only: "client" or "server", the sender
  std::string cite;                 // RFC or draft and section the expectation comes from
  Severity on_mismatch = Severity::fail;
  // Evaluated even when the handshake outcome was not the expected one, wherever a source shows
  // the fact: for what the wire shows a server chose (a PSK it must not select) whatever
  // happened after.
  bool whatever_the_outcome = false;
  // Which connection of the cell it is about, from 1 (`connections`); 0 means the last.
  int connection = 0;
  int line = 0;  // where it stands in the suite file, for messages
};

// A scenario that measures one role's library default: every executed cell adds the value of
// `fact` to that peer's row of the run's defaults table (matrix.json `defaults`, summary.md).
struct DefaultsColumn {
  Role role = Role::server;
  Fact fact = Fact::handshake;
  std::string label;  // the column heading, e.g. "server accepts psk_ke"
};

struct Scenario {
  std::string id;
  std::string title;
  std::string description;
  EndpointConfig client;
  EndpointConfig server;
  std::vector<Expectation> expectations;
  std::vector<Fact> record;  // facts reported per cell without a verdict (policies)
  // The relay's attack on every connection of the cell (`relay:`), in the order applied.
  std::vector<Mutation> relay;
  std::optional<DefaultsColumn> defaults_column;
  // Features a check depends on beyond what the configuration implies (e.g. group_order for
  // a check on the client's preference order); validated against the feature table.
  std::vector<Feature> client_requires;
  std::vector<Feature> server_requires;
  int line = 0;

  // Connections per cell (`connections`, the same on both sides); expectations name theirs.
  int connections() const { return client.connections; }
};

struct Suite {
  std::string id;
  std::string title;
  std::string description;
  std::string file;
  std::vector<Scenario> scenarios;
};

const char* severity_name(Severity severity);

}  // namespace tlsmatrix
