// Standard output and standard error as a run writes them. The results folder is the product:
// once a stream is gone (its reader closed the pipe, a full disk behind a redirection), writes
// to it stop quietly and the run carries on. Never throws.
#pragma once

#include <string_view>

namespace tlsmatrix {

enum class TerminalStream { out, err };

// `text` with control characters escaped (`printable`): what peers, files and command lines
// say cannot drive the terminal.
void show(TerminalStream stream, std::string_view text);
// As is: for the runner's own control sequences (the progress line's carriage return).
void show_raw(TerminalStream stream, std::string_view text);
bool is_terminal(TerminalStream stream);

}  // namespace tlsmatrix
