// The in-memory form of a suite file (suites/*.yaml, format in suites/README.md).
#pragma once

#include <string>
#include <vector>

#include "endpoint_config.hpp"

namespace tlsmatrix {

// The observable facts a scenario can make claims about; see expectation.cpp for how each
// one is read from the peers' reports and the wire.
enum class Fact {
  handshake,
  version,
  cipher_suite,
  group,
  hello_retry_request,
  alert,
  psk_used,
  psk_mode
};

// What happens to the cell when a check does not hold.
enum class Severity { fail, deviation };

struct Expectation {
  Fact fact = Fact::handshake;
  std::vector<std::string> any_of;  // the check holds when the observed value is one of these
  std::string from;                 // alert only: "client" or "server", the sender
  std::string cite;                 // RFC or draft and section the expectation comes from
  Severity on_mismatch = Severity::fail;
  int line = 0;  // where it stands in the suite file, for messages
};

struct Scenario {
  std::string id;
  std::string title;
  std::string description;
  EndpointConfig client;
  EndpointConfig server;
  std::vector<Expectation> expectations;
  std::vector<Fact> record;                  // facts reported per cell without a verdict (policies)
  std::vector<std::string> client_requires;  // extra features beyond what the config implies
  std::vector<std::string> server_requires;
  int line = 0;
};

struct Suite {
  std::string id;
  std::string title;
  std::string description;
  std::string file;
  std::vector<Scenario> scenarios;
};

const char* fact_name(Fact fact);
bool fact_from_name(const std::string& name, Fact& out);
const char* severity_name(Severity severity);

}  // namespace tlsmatrix
