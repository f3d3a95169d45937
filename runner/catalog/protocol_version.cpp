#include "protocol_version.hpp"

#include <fmt/format.h>

#include "protocol_json.hpp"

namespace tlsmatrix {

std::string protocol_mismatch(const nlohmann::json& event) {
  const auto it = event.find("protocol");
  if (it == event.end())
    return fmt::format(
        "does not say which peer protocol it speaks (no \"protocol\" field); this "
        "runner speaks protocol {}",
        kPeerProtocolVersion);
  if (it->is_number_integer() && it->get<std::int64_t>() == kPeerProtocolVersion) return "";
  return fmt::format(
      "speaks peer protocol {}, but this runner speaks protocol {} (see peers/PROTOCOL.md)",
      it->dump(), kPeerProtocolVersion);
}

}  // namespace tlsmatrix
