// `tlsmatrix check-peer COMMAND`: checks a vendor's peer against the peer protocol
// (peers/PROTOCOL.md) before any TLS matters, so that protocol mistakes come back as messages
// naming what was sent, what came back and what the protocol requires, instead of `error`
// cells in a matrix. The checks are the rows of one table (check_peer_checks.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tlsmatrix {

struct CheckPeerOptions {
  std::vector<std::string> command;  // the peer's argv, as a catalog's "command" lists it
  std::string root;                  // the folder the jail chroots it to (a catalog's "root")
  // The limit for every step (one peer invocation, or the two peers of the handshake): a peer
  // that has not finished by then is killed with its process group and the check fails.
  std::chrono::milliseconds timeout{20000};
  std::filesystem::path pki_dir;  // suites/pki: the handshake check's certificate
};

enum class CheckStatus { pass, fail, skip };

struct CheckReport {
  std::string id;
  CheckStatus status = CheckStatus::skip;
  std::string message;  // one line
  std::string sends;    // what the check sends the peer
  std::string section;  // the PROTOCOL.md section it enforces
  double ms = 0;        // wall time of the check
};

// The peer's argv from the words given on the command line: several words are taken as they
// are; a single word is split on whitespace (no quoting), unless it names an existing file.
std::vector<std::string> peer_command_from_words(const std::vector<std::string>& words);

// Runs every check of the table in order. Peers run through the peer jail in use
// (peer_jail.hpp). `cancelled` (Ctrl-C) ends the step in flight.
std::vector<CheckReport> check_peer(const CheckPeerOptions& options,
                                    const std::atomic<bool>& cancelled);

const char* check_status_name(CheckStatus status);  // "PASS", "FAIL", "SKIP"
// "PASS id: message" per check, one line each.
std::string check_reports_text(const std::vector<CheckReport>& reports);
nlohmann::json check_reports_json(const CheckPeerOptions& options,
                                  const std::vector<CheckReport>& reports);
bool any_failed(const std::vector<CheckReport>& reports);

}  // namespace tlsmatrix
