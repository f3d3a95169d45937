// Reads the few fields of ClientHello and ServerHello that OpenSSL 3.0 has no getter for
// (key shares offered, HelloRetryRequest, the key share the server answered with), straight from
// the handshake messages the message callback hands us.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tlsmatrix::openssl {

struct ClientHelloFields {
  std::vector<std::uint16_t> key_share_groups;  // in the order sent
};

struct ServerHelloFields {
  bool hello_retry_request = false;  // RFC 8446 §4.1.3: the special random value
  // The key_share group: the selected group of an HRR, or the group of the server's share.
  std::optional<std::uint16_t> key_share_group;
};

// `message` is one whole handshake message including its 4-byte header; nullopt when it is
// not that message type or is malformed.
std::optional<ClientHelloFields> parse_client_hello(std::span<const std::uint8_t> message);
std::optional<ServerHelloFields> parse_server_hello(std::span<const std::uint8_t> message);

}  // namespace tlsmatrix::openssl
