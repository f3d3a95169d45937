// The steps check-peer runs a peer through, on the runner's own process machinery
// (runner/process/: the peer jail, process groups, deadlines): one invocation with a given
// stdin, and a real handshake between two instances of the peer. What each step printed is
// kept line by line, for the checks to judge and for their messages to quote.
#pragma once

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "endpoint_config.hpp"

namespace tlsmatrix {

// One line a peer printed on stdout.
struct PrintedLine {
  std::string text;  // without its newline
  // Set when the line is a protocol event: a JSON object with an "event" string and
  // "protocol": 6 (peers/PROTOCOL.md, "Transport rules" and "Events").
  std::optional<nlohmann::json> event;
  std::string problem;  // otherwise why not: "is not JSON", "says \"protocol\": 5"...
};

std::vector<PrintedLine> printed_lines(const std::string& stdout_text);
// The first line that is not a protocol event, or null.
const PrintedLine* first_non_event(const std::vector<PrintedLine>& lines);
// "'error' (\"protocol 5 requested...\"), 'result' (connection 1, stage configure)": the
// events in order, for messages; "nothing" when there were none.
std::string events_summary(const std::vector<PrintedLine>& lines);

// One run of the peer to its end: COMMAND ARGS with `stdin_text`, stdin then closed.
struct Invocation {
  ChildRun run;
  std::vector<PrintedLine> lines;
  std::chrono::milliseconds timeout{0};
  // True when it ended by itself, with an exit status, within the timeout.
  bool exited() const;
  // How it ended: "exit status 2", "signal 11 (Segmentation fault)", "did not answer within
  // 3000 ms (its process group was killed)", "could not start: ...".
  std::string ending() const;
  // ending() and what it printed: "exit status 0; stdout: 'result' (connection 1, ...)".
  std::string came_back() const;
};

// `root`: the folder the jail chroots the peer to; empty: the host.
Invocation invoke_peer(const std::vector<std::string>& command, const std::string& root,
                       const std::vector<std::string>& args, const std::string& stdin_text,
                       std::chrono::milliseconds timeout, const std::atomic<bool>& cancelled);

// One instance of the peer in a live handshake.
struct LivePeer {
  bool started = false;
  std::string start_error;
  std::string stdout_text, stderr_text;
  std::vector<PrintedLine> lines;
  std::optional<int> exit_code;  // set when it exited by itself
  std::string ending;            // "exit status 0", "killed at the deadline", ...
  std::string came_back() const;
};

struct PairRun {
  LivePeer server, client;
  bool timed_out = false;  // the step's deadline passed: both were killed
  bool cancelled = false;
  std::string listening_problem;  // the server's `listening` event was unusable (no port...)
};

// A server instance with `server`, then, once it printed `listening`, a client instance with
// `client` connecting to its port on 127.0.0.1 (no relay: the peers talk directly over
// loopback). Both must end within `timeout`, else both are killed with their process groups.
PairRun run_pair(const std::vector<std::string>& command, const std::string& root,
                 const EndpointConfig& server, EndpointConfig client,
                 std::chrono::milliseconds timeout, const std::atomic<bool>& cancelled);

}  // namespace tlsmatrix
