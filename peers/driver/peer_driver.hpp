// The stack-independent half of every peer executable: command line, the JSON protocol on
// stdin/stdout (peers/PROTOCOL.md), the loopback socket and the application-data check.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tlsmatrix {

class StackAdapter;

int run_peer(int argc, char** argv);

// Handles one request, the JSON text `text`, as a single-request peer does: parses it (an
// `error` event on a request it cannot understand), arms the alarm() safety net, configures and
// runs the endpoint, emitting its events with the request's `request` number when it has one
// (required when `number_required`, as in --serve). Returns the exit status: 0 after the last
// `result`, 2 after an `error`. Arms alarm() for this process, so it is called once per process.
int handle_request(StackAdapter& adapter, const std::string& text, bool number_required);

// Writes one protocol event as one line on stdout, flushed at once.
void emit_event(const nlohmann::json& event);

}  // namespace tlsmatrix
