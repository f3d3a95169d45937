#include "hello_extensions.hpp"

#include <algorithm>

namespace tlsmatrix::wire {

std::vector<RawExtension> split_extensions(ByteReader block, std::string_view message,
                                           NoteLog& notes) {
  std::vector<RawExtension> out;
  while (!block.empty()) {
    const std::size_t at = block.offset();
    const auto type = block.u16();
    const auto data = type ? block.vector(2) : std::nullopt;
    if (!type || !data) {
      notes.add("{}: extension at offset {} of the extensions block overruns it", message, at);
      break;
    }
    // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type".
    const bool repeated =
        std::any_of(out.begin(), out.end(), [&](const RawExtension& e) { return e.type == *type; });
    if (repeated) notes.add("{}: extension {} appears more than once", message, *type);
    out.push_back({*type, data->rest()});
  }
  return out;
}

}  // namespace tlsmatrix::wire
