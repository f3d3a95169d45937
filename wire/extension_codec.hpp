// Reads and writes the contents of the hello extensions an active attacker edits (RFC 8446
// §4.2): lists of code points, key shares. Readers return nullopt unless the contents are
// framed exactly; writers compute every length.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hello_writer.hpp"

namespace tlsmatrix::wire {

// A vector of 16-bit code points behind a `prefix_bytes` length: supported_groups (2),
// a ClientHello's supported_versions (1).
std::optional<std::vector<std::uint16_t>> read_u16_list(std::span<const std::uint8_t> data,
                                                        std::size_t prefix_bytes);
std::vector<std::uint8_t> write_u16_list(const std::vector<std::uint16_t>& values,
                                         std::size_t prefix_bytes);

// psk_key_exchange_modes (§4.2.9): PskKeyExchangeMode ke_modes<1..255>.
std::optional<std::vector<std::uint8_t>> read_u8_list(std::span<const std::uint8_t> data);
std::vector<std::uint8_t> write_u8_list(const std::vector<std::uint8_t>& values);

// A ClientHello's key_share: KeyShareEntry client_shares<0..2^16-1> (§4.2.8).
std::optional<std::vector<KeyShareEntry>> read_client_key_shares(
    std::span<const std::uint8_t> data);
std::vector<std::uint8_t> write_client_key_shares(const std::vector<KeyShareEntry>& shares);

// A ServerHello's key_share: one KeyShareEntry (§4.2.8).
std::optional<KeyShareEntry> read_server_key_share(std::span<const std::uint8_t> data);
std::vector<std::uint8_t> write_server_key_share(const KeyShareEntry& share);

}  // namespace tlsmatrix::wire
