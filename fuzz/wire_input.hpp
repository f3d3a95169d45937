// How a fuzz input is cut into the two directions of a connection: the first two bytes
// (big-endian) give the length of the client-to-server stream, the rest is server-to-client.
// wire_seeds.cpp writes its seeds in this form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace tlsmatrix::fuzz {

inline std::pair<std::span<const std::uint8_t>, std::span<const std::uint8_t>> split_directions(
    std::span<const std::uint8_t> input) {
  if (input.size() < 2) return {input.subspan(0, 0), input.subspan(0, 0)};
  const std::size_t wanted = std::size_t{input[0]} << 8 | input[1];
  const auto rest = input.subspan(2);
  const auto first = std::min(wanted, rest.size());
  return {rest.subspan(0, first), rest.subspan(first)};
}

inline std::vector<std::uint8_t> join_directions(
    const std::vector<std::uint8_t>& client_to_server,
    const std::vector<std::uint8_t>& server_to_client) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(client_to_server.size() >> 8),
                                static_cast<std::uint8_t>(client_to_server.size() & 0xFF)};
  out.insert(out.end(), client_to_server.begin(), client_to_server.end());
  out.insert(out.end(), server_to_client.begin(), server_to_client.end());
  return out;
}

}  // namespace tlsmatrix::fuzz
