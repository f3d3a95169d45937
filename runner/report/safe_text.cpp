#include "safe_text.hpp"

#include "utf8_text.hpp"

namespace tlsmatrix {
namespace {

// C0 controls and DEL are one byte; C1 controls (U+0080..U+009F) are 0xC2 0x80..0x9F.
bool is_control(std::string_view sequence) {
  const auto lead = static_cast<unsigned char>(sequence[0]);
  if (sequence.size() == 1) return lead < 0x20 || lead == 0x7f;
  return sequence.size() == 2 && lead == 0xc2 && static_cast<unsigned char>(sequence[1]) <= 0x9f;
}

}  // namespace

std::string json_text(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string printable(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto length = utf8_sequence_length(text, 0);
    if (length == 0) {
      out += escaped_bytes(text.substr(0, 1));
      text.remove_prefix(1);
      continue;
    }
    const auto sequence = text.substr(0, length);
    const bool kept = sequence == "\t" || (keep_newlines && sequence == "\n");
    out += is_control(sequence) && !kept ? escaped_bytes(sequence) : std::string(sequence);
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

std::string markup_text(std::string_view raw) {
  const auto text = printable(raw);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\xEF' && i + 2 < text.size() && text[i + 1] == '\xBF' &&
        (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
      out += text[i + 2] == '\xBE' ? "\\ufffe" : "\\uffff";
      i += 2;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace tlsmatrix
