// The facts of one cell that expectations are checked against, merged from both peers'
// reports and the wire following the fact table (fact.hpp). Built by facts_from_run(); tests
// build them by hand.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fact.hpp"

namespace tlsmatrix {

// How the handshake ended. `success`: both sides completed it and verified each other's
// application data. `refused`: a side aborted it. `stalled`: it neither completed nor was
// aborted (a side gave up waiting, `timed_out`); never a refusal.
enum class HandshakeResult { success, refused, stalled };

const char* handshake_result_name(HandshakeResult result);

struct CellFacts {
  HandshakeResult handshake = HandshakeResult::refused;
  std::string handshake_summary;  // for reasons: who stopped where, and with what error
  // The facts read from the wire or the peers (merge rules wire_then_peers and wire_only), as
  // the text suites use; a fact no source could tell is absent.
  std::map<Fact, std::string> values;
  // Fatal alerts each side sent, by RFC 8446 §6 name.
  std::vector<std::string> alerts_from_client;
  std::vector<std::string> alerts_from_server;
  // Reports that contradict each other or the wire: the harness cannot trust this cell.
  std::vector<std::string> inconsistencies;
  // Where each fact came from ("wire", "client peer", ...), for the matrix.
  std::map<std::string, std::string> sources;

  std::optional<std::string> value(Fact fact) const;
  // The observed value as printed: the value, or the fact's `absent` text. For `alert`, the
  // alerts of `alert_sender` ("client" or "server").
  std::string text(Fact fact, const std::string& alert_sender = "") const;
};

}  // namespace tlsmatrix
