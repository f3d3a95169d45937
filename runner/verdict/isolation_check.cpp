#include "isolation_check.hpp"

#include <fmt/format.h>

#include "hex_text.hpp"

namespace tlsmatrix {

std::optional<std::string> RandomRegistry::earlier_use(const std::array<std::uint8_t, 32>& random,
                                                       const std::string& cell) {
  std::string key(random.begin(), random.end());
  const std::lock_guard lock(mutex_);
  const auto [at, added] = first_cell_.try_emplace(std::move(key), cell);
  if (added) return std::nullopt;
  return at->second;
}

std::optional<std::string> isolation_breach(const std::vector<WireObservation>& wires,
                                            const CellRequest& request, const std::string& cell,
                                            RandomRegistry* randoms) {
  // A first connection whose ClientHello offers a PSK the configuration did not give: a ticket
  // or key kept from an earlier request (RFC 8446 §4.2.11; resumption needs an earlier
  // connection of this cell, "Connections" in peers/PROTOCOL.md).
  if (!wires.empty() && !wires.front().client_hellos.empty() &&
      wires.front().client_hellos.front().pre_shared_key && request.client_config.psks.empty())
    return fmt::format(
        "client peer {} offered a PSK in the cell's first connection without being given one: "
        "state kept from an earlier request",
        request.client->id);

  // RFC 8446 §4.1.2, §4.1.3: each hello's random comes from a secure random generator. The
  // second ClientHello after a HelloRetryRequest repeats the first's random (§4.1.2), and the
  // HelloRetryRequest's is a constant (§4.1.3), so only the first ClientHello and the first
  // real ServerHello of each connection count.
  if (!randoms) return std::nullopt;
  std::vector<std::string> repeats;
  const auto check = [&](const std::optional<std::array<std::uint8_t, 32>>& random,
                         const char* message, const std::string& peer, std::size_t connection) {
    if (!random) return;
    if (const auto earlier = randoms->earlier_use(*random, cell))
      repeats.push_back(fmt::format(
          "{} {} of connection {} repeats a random ({}) already sent in {}: the random "
          "generator's state was carried over from an earlier request",
          peer, message, connection + 1,
          hex_of(std::string_view(reinterpret_cast<const char*>(random->data()), random->size())),
          *earlier == cell ? "this cell" : *earlier));
  };
  for (std::size_t i = 0; i < wires.size(); ++i) {
    const auto& wire = wires[i];
    if (!wire.client_hellos.empty())
      check(wire.client_hellos.front().random, "ClientHello", "client peer " + request.client->id,
            i);
    for (const auto& hello : wire.server_hellos)
      if (!hello.hello_retry_request) {
        check(hello.random, "ServerHello", "server peer " + request.server->id, i);
        break;
      }
  }
  if (repeats.empty()) return std::nullopt;
  std::string out = repeats.front();
  for (std::size_t i = 1; i < repeats.size(); ++i) out += "; " + repeats[i];
  return out;
}

}  // namespace tlsmatrix
