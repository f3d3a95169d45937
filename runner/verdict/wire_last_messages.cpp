#include "wire_last_messages.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "wire_names.hpp"

namespace tlsmatrix {
namespace {

// A direction's plaintext handshake messages come first, encrypted records after them, and a
// plaintext alert ends it, so naming them in that order tells where it stopped.
std::string last_of(const DirectionObservation& d) {
  if (d.total_bytes == 0) return "nothing";
  std::vector<std::string> parts;
  if (!d.handshake_messages.empty())
    parts.push_back(wire::handshake_type_name(d.handshake_messages.back()));
  if (d.encrypted_record_count > 0)
    parts.push_back(fmt::format("{} encrypted records", d.encrypted_record_count));
  if (!d.plaintext_alerts.empty()) parts.push_back("alert " + d.plaintext_alerts.back().name);
  if (parts.empty())
    return fmt::format("{} bytes without a whole handshake message", d.total_bytes);
  return fmt::format("{}", fmt::join(parts, " then "));
}

}  // namespace

std::string last_messages_on_wire(const WireObservation& wire) {
  return fmt::format("client->server: {}; server->client: {}", last_of(wire.client_to_server),
                     last_of(wire.server_to_client));
}

}  // namespace tlsmatrix
