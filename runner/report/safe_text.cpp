#include "safe_text.hpp"

#include <fmt/format.h>

namespace tlsmatrix {
namespace {

// Length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629 §4: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view text, char32_t& code_point) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2, min = 0x80, code_point = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, min = 0x800, code_point = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, min = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3f);
  }
  if (code_point < min || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff))
    return 0;
  return length;
}

void escape_bytes(std::string& out, std::string_view bytes) {
  for (const char c : bytes) out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
}

}  // namespace

std::string json_text(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string printable(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    char32_t code_point = 0;
    const auto length = utf8_sequence_length(text, code_point);
    if (length == 0) {
      escape_bytes(out, text.substr(0, 1));
      text.remove_prefix(1);
      continue;
    }
    const bool control = code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f);
    const bool kept = code_point == '\t' || (keep_newlines && code_point == '\n');
    if (control && !kept)
      escape_bytes(out, text.substr(0, length));
    else
      out.append(text.substr(0, length));
    text.remove_prefix(length);
  }
  return out;
}

std::string markdown_cell(std::string_view text) {
  std::string flat;
  flat.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (text[i] == '\n' || text[i] == '\r')
      flat += ' ';
    else if (text[i] == '|')
      flat += "\\|";
    else
      flat += text[i];
  }
  return printable(flat, false);
}

}  // namespace tlsmatrix
