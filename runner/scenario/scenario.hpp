// The in-memory form of a suite file (suites/*.yaml, format in suites/README.md).
#pragma once

#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "features.hpp"

namespace tlsmatrix {

// The observable facts a scenario can check or record. facts.cpp names and validates them
// (one table); verdict/facts_from_run.cpp says where each is read from.
enum class Fact {
  handshake,
  version,
  cipher_suite,
  group,
  hello_retry_request,
  alert,
  psk_used,
  psk_mode,
  client_hello_bytes,      // size of the first ClientHello message on the wire
  client_key_share_bytes,  // total key_exchange bytes of its key shares
  server_key_share_bytes,  // key_exchange bytes of the ServerHello's key share
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
  std::vector<Fact> record;  // facts reported per cell without a verdict (policies)
  // Features a check depends on beyond what the configuration implies (e.g. group_order for
  // a check on the client's preference order); validated against the feature table.
  std::vector<Feature> client_requires;
  std::vector<Feature> server_requires;
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
// Whether `value` is something `fact` can be.
bool valid_fact_value(Fact fact, const std::string& value);
// Every fact name, for error messages.
std::string fact_names();
const char* severity_name(Severity severity);

}  // namespace tlsmatrix
