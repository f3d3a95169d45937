// UTF-8 validity for text read from files and the command line: everything the runner reads
// ends up in matrix.json, which is UTF-8, so bad bytes are refused where they come in. The
// writers (report/safe_text) use the same decoder for text from peers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tlsmatrix {

// The length of the well-formed UTF-8 sequence that starts at `at` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when none starts there.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

// The byte offset of the first byte that does not start a well-formed UTF-8 sequence
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF); nullopt when all is.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// `text` with every byte outside printable ASCII written as \xNN, so that a message naming
// an input is itself clean whatever the input holds.
std::string escaped_bytes(std::string_view text);

}  // namespace tlsmatrix
