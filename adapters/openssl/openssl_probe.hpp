// Handshakes that never touch the network: a ClientHello written into memory, or a client and
// a server wired together through a BIO pair. Used to check what OpenSSL really does with a
// configuration before trusting it, and to probe capabilities at run time.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "endpoint_config.hpp"
#include "outcome.hpp"

namespace tlsmatrix::openssl {

// The groups that get a key share in the first ClientHello a client built from `ctx` sends;
// nullopt when OpenSSL cannot produce one.
std::optional<std::vector<std::uint16_t>> first_flight_key_shares(SSL_CTX* ctx);

struct MemoryHandshake {
  bool client_ok = false;
  bool server_ok = false;
  HandshakeOutcome client;
  HandshakeOutcome server;
  int tickets_received = 0;  // NewSessionTicket messages the client read
};

// Runs a whole handshake between two endpoints in this process. A configuration either side
// rejects counts as a failed handshake.
MemoryHandshake handshake_in_memory(const EndpointConfig& client, const EndpointConfig& server);

// A fresh ECDSA P-256 key and a self-signed certificate for `dns_name` (subject CN and SAN),
// good for an hour.
CertifiedKey make_self_signed(std::string_view dns_name);

}  // namespace tlsmatrix::openssl
