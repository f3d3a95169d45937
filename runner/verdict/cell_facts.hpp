// The facts of one cell that expectations are checked against, merged from both peers'
// reports and the wire. Built by facts_from_run(); tests build them by hand.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tlsmatrix {

// How the handshake ended. `success`: both sides completed it and verified each other's
// application data. `refused`: a side aborted it. `stalled`: it neither completed nor was
// aborted (a side gave up waiting, `timed_out`); never a refusal.
enum class HandshakeResult { success, refused, stalled };

const char* handshake_result_name(HandshakeResult result);

struct CellFacts {
  HandshakeResult handshake = HandshakeResult::refused;
  std::string handshake_summary;  // for reasons: who stopped where, and with what error
  std::optional<std::string> version;
  std::optional<std::string> cipher_suite;
  std::optional<std::string> group;
  std::optional<bool> hello_retry_request;
  std::optional<bool> psk_used;
  std::optional<std::string> psk_mode;
  // Sizes on the wire: what each group costs.
  std::optional<std::size_t> client_hello_bytes;
  std::optional<std::size_t> client_key_share_bytes;
  std::optional<std::size_t> server_key_share_bytes;
  // Fatal alerts each side sent, by RFC 8446 §6 name, from its own report, the other side's
  // report and the plaintext records on the wire.
  std::vector<std::string> alerts_from_client;
  std::vector<std::string> alerts_from_server;
  // Reports that contradict each other or the wire: the harness cannot trust this cell.
  std::vector<std::string> inconsistencies;
  // Where each fact came from ("wire", "client peer", ...), for the matrix.
  std::map<std::string, std::string> sources;
};

}  // namespace tlsmatrix
