// The stack-independent half of every peer executable: command line, the JSON protocol on
// stdin/stdout (peers/PROTOCOL.md), the loopback socket and the application-data check.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tlsmatrix {

class StackAdapter;
class WaitInterruption;

int run_peer(int argc, char** argv);

// Handles one request, the JSON text `text`, as a single-request peer does: parses it (an
// `error` event on a request it cannot understand), configures and runs the endpoint, emitting
// its events with the request's `request` number when it has one (required when
// `number_required`, as in --serve). A server's wait for its client ends without another event
// when `interruption` says the runner cancelled the request. alarm() is armed while the request
// runs, a safety net that ends the process if a library hangs. Returns the exit status: 0 after
// the last `result` (or a cancel), 2 after an `error`.
int handle_request(StackAdapter& adapter, const std::string& text, bool number_required,
                   WaitInterruption* interruption = nullptr);

// Writes one protocol event as one line on stdout, flushed at once.
void emit_event(const nlohmann::json& event);

// Writes one line of diagnostics on stderr (never stdout, which carries events only).
void log_line(const std::string& line);

}  // namespace tlsmatrix
