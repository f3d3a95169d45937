// Handshakes that never touch the network: a client and a server wired together through a BIO
// pair, used to probe capabilities at run time.
#pragma once

#include <openssl/ssl.h>

#include <string_view>

#include "endpoint_config.hpp"
#include "outcome.hpp"

namespace tlsmatrix::openssl {

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
