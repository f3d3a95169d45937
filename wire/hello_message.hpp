// A ClientHello or ServerHello (RFC 8446 §4.1.2, §4.1.3) in an editable, lossless form: reading
// a well-formed message and writing it back gives the same bytes, so an active attacker can
// change one field and leave every other byte as the peer sent it. Extensions stay raw bytes;
// extension_codec.hpp reads and writes the contents the attacker edits.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hello_writer.hpp"

namespace tlsmatrix::wire {

struct HelloMessage {
  std::uint8_t type = 0;  // kClientHello or kServerHello
  std::uint16_t legacy_version = 0x0303;
  std::array<std::uint8_t, 32> random{};
  std::vector<std::uint8_t> legacy_session_id;
  // A ClientHello's list; a ServerHello's one selected suite as the only entry.
  std::vector<std::uint16_t> cipher_suites;
  // A ClientHello's legacy_compression_methods; a ServerHello's one method.
  std::vector<std::uint8_t> compression_methods;
  // Before TLS 1.3 a hello may end without an extensions block (RFC 5246 §7.4.1.2).
  bool has_extensions = true;
  std::vector<ExtensionBytes> extensions;

  bool is_client_hello() const;
  bool is_hello_retry_request() const;
  ExtensionBytes* extension(std::uint16_t type);
  const ExtensionBytes* extension(std::uint16_t type) const;
  bool remove_extension(std::uint16_t type);
};

// `message` is a whole handshake message, 4-byte header included. nullopt unless it is a
// ClientHello or ServerHello framed exactly (every length consistent, nothing left over), the
// only form that can be written back unchanged.
std::optional<HelloMessage> read_hello_message(std::span<const std::uint8_t> message);

// The whole handshake message, header included, with every length computed afresh.
std::vector<std::uint8_t> write_hello_message(const HelloMessage& hello);

}  // namespace tlsmatrix::wire
