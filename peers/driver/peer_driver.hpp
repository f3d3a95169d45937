// The stack-independent half of every peer executable: command line, the JSON protocol on
// stdin/stdout (peers/PROTOCOL.md), the loopback socket and the application-data check.
#pragma once

namespace tlsmatrix {

int run_peer(int argc, char** argv);

}  // namespace tlsmatrix
