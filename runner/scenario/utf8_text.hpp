// UTF-8 validity for text read from files and the command line: everything the runner reads
// ends up in matrix.json, which is UTF-8, so bad bytes are refused where they come in.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tlsmatrix {

// The byte offset of the first byte that does not start a well-formed UTF-8 sequence
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF); nullopt when all is.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// `text` with every byte outside printable ASCII written as \xNN, so that a message naming
// an input is itself clean whatever the input holds.
std::string escaped_bytes(std::string_view text);

}  // namespace tlsmatrix
