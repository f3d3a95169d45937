// A ClientHello written into memory, never touching the network: used to check what OpenSSL
// really does with a configuration before trusting it.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace tlsmatrix::openssl {

// The groups that get a key share in the first ClientHello a client built from `ctx` sends;
// nullopt when OpenSSL cannot produce one.
std::optional<std::vector<std::uint16_t>> first_flight_key_shares(SSL_CTX* ctx);

}  // namespace tlsmatrix::openssl
