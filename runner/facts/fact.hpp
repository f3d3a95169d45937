// The one table of facts: everything a scenario can `expect:` or `record:` about a cell, each
// defined once (fact_table.cpp) with its type, where it is read from and in which order of
// trust, how two sources are compared, how it is printed and written to JSON, and how a suite
// may use it. The loader, the verdict, the reports and suites/README.md's table follow it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "outcome.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix {

enum class Fact {
  handshake,
  version,
  cipher_suite,
  group,
  hello_retry_request,
  alert,
  psk_used,
  psk_mode,
  psk_identity,
  psk_identity_index,
  psk_modes_offered,
  server_certificate,
  cert_with_extern_psk,
  resumed,
  tickets_received,
  client_hello_bytes,
  client_key_share_bytes,
  server_key_share_bytes,
  downgrade_sentinel,
  client_answered_server_hello,
};

// The type of a fact's values: which values a suite may name, and their JSON form.
enum class ValueKind {
  outcome,       // "success" / "refused" (a stall can be observed, never expected)
  version,       // IANA protocol version name, "TLSv1.3"
  cipher_suite,  // IANA cipher suite name
  group,         // IANA group name
  alert,         // RFC 8446 §6 alert names
  boolean,       // "true" / "false"; JSON true / false
  count,         // a decimal number of bytes or messages; JSON number
  psk_mode,      // "psk_ke" / "psk_dhe_ke" (RFC 8446 §4.2.9)
  psk_modes,     // a client's list of them in wire order, "+"-joined
  text,          // any text the configuration names, such as a PSK identity
  sentinel,      // "tls1.2" / "tls1.1_or_below" / "none" (RFC 8446 §4.1.3)
};

// How the sources of a fact are combined.
enum class Merge {
  // The wire decides when it could see the fact; otherwise the first peer (client, then
  // server) that completed its handshake and reports it. Every peer that completed and
  // reports it must agree with the value taken, or the cell is `error`.
  wire_then_peers,
  // Only the wire can tell.
  wire_only,
  // Only the client's own report, once it completed its handshake (what it received from
  // the server, which TLS 1.3 encrypts).
  client_report,
  // How far each peer got (success, refused, stalled): facts_from_run.
  peers_outcome,
  // Per sender, the union of its own report, the receiver's report and plaintext alert
  // records: facts_from_run.
  alerts_per_sender,
};

// What a suite may do with a fact.
enum class FactUse { expect_and_record, expect_only, record_only };

// A fact's value as the wire or one peer shows it: nullopt when that source cannot tell.
using WireReading = std::optional<std::string> (*)(const WireObservation&);
using PeerReading = std::optional<std::string> (*)(const HandshakeOutcome&);

struct FactDefinition {
  Fact fact;
  const char* name;  // as suites name it
  ValueKind kind;
  Merge merge;
  WireReading from_wire;  // nullptr: the wire cannot show it
  PeerReading from_peer;  // nullptr: peers do not report it
  FactUse use;
  const char* absent;     // printed when no source could tell: "unknown", "none"
  const char* values;     // suites/README.md: the values a suite may name
  const char* read_from;  // suites/README.md: where the value comes from
};

std::span<const FactDefinition> fact_table();
const FactDefinition& definition(Fact fact);
const char* fact_name(Fact fact);
std::optional<Fact> fact_by_name(const std::string& name);
// Every fact name, for error messages.
std::string fact_names();
// Whether a suite may name `value` for `fact` in an `expect:` check.
bool valid_fact_value(Fact fact, const std::string& value);
// A fact's printed value in its JSON form: numbers and booleans typed, `absent` as null.
nlohmann::json fact_json(Fact fact, const std::string& text);

}  // namespace tlsmatrix
