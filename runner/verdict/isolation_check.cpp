#include "isolation_check.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "hex_text.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix {

std::optional<std::string> RandomRegistry::earlier_use(const std::array<std::uint8_t, 32>& random,
                                                       const std::string& cell) {
  std::string key(random.begin(), random.end());
  const std::lock_guard lock(mutex_);
  const auto [at, added] = first_cell_.try_emplace(std::move(key), cell);
  if (added) return std::nullopt;
  return at->second;
}

namespace {

bool resumed_tls12(const WireObservation& wire) {
  const auto& sent = wire.server_to_client.handshake_messages;
  const auto has = [&](std::uint8_t type) {
    return std::find(sent.begin(), sent.end(), type) != sent.end();
  };
  return wire.version == wire::kTls12 && has(wire::kServerHello) && !has(wire::kServerHelloDone) &&
         wire.server_to_client.encryption_started;
}

}  // namespace

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

  // A server that resumed a TLS 1.2 session in the cell's first connection: the abbreviated
  // handshake of RFC 5246 §7.3 (ServerHello, then ChangeCipherSpec, no ServerHelloDone, which
  // every full TLS 1.2 handshake sends), with a session no connection of this cell made.
  if (!wires.empty() && resumed_tls12(wires.front()))
    return fmt::format(
        "server peer {} resumed a TLS 1.2 session in the cell's first connection (ServerHello "
        "then ChangeCipherSpec without ServerHelloDone, RFC 5246 §7.3): a session kept from an "
        "earlier request",
        request.server->id);

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
  return fmt::format("{}", fmt::join(repeats, "; "));
}

}  // namespace tlsmatrix
