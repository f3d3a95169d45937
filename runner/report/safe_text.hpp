// Text in results comes from anywhere (a peer's stderr, its error text, a file name, the
// command line) and may be any bytes. These make it safe for each place it is written, so no
// output encoding can lose a run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace tlsmatrix {

// JSON text of `value`; bytes that are not UTF-8 become U+FFFD instead of throwing.
// indent -1: one line.
std::string json_text(const nlohmann::json& value, int indent = -1);

// For the terminal and Markdown: C0 controls (but tab, and newline when `keep_newlines`), DEL,
// C1 controls and bytes that are not UTF-8 are written as \xNN, so a peer's text can neither
// drive the terminal nor break the file. Other UTF-8 passes unchanged.
std::string printable(std::string_view text, bool keep_newlines = true);

// One Markdown table cell: line breaks become spaces, `|` is escaped, then `printable`.
std::string markdown_cell(std::string_view text);

// Text for an XML 1.0 or HTML attribute or element (junit.xml, certification.html): `printable`
// turns every control character and byte that is not UTF-8 into \xNN; then the markup
// characters are escaped and the two non-characters XML also forbids (U+FFFE, U+FFFF) written
// like the rest.
std::string markup_text(std::string_view raw);

}  // namespace tlsmatrix
