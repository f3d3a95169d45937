// Reading the few hello fields GnuTLS has no getter for. Parsers throw std::runtime_error on
// malformed input.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace tlsmatrix::gnutls_adapter {

// The groups (IANA codes) of the key_share extension in the first ClientHello found in `wire`
// (TLS records as sent); empty when the hello has no key_share extension.
std::vector<std::uint16_t> client_hello_key_shares(std::string_view wire);

// The cipher suite a ServerHello body (without handshake header) selects.
std::uint16_t server_hello_cipher_suite(std::string_view body);

}  // namespace tlsmatrix::gnutls_adapter
