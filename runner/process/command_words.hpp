// A peer's command given as one string on the command line (certify --peer, check-peer) as the
// word list a catalog's "command" holds.
#pragma once

#include <string>
#include <vector>

namespace tlsmatrix {

// Splits a command the way a POSIX shell splits words, without expanding anything: blanks
// separate words, '...' keeps everything literally, "..." and a backslash quote the next
// character. Throws std::invalid_argument on an unterminated quote or an empty command.
std::vector<std::string> split_command(const std::string& command);

}  // namespace tlsmatrix
