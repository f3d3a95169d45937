// External PSKs (RFC 8446 §4.2.11) through wolfSSL's PSK callbacks.
#pragma once

#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "wolfssl_handles.hpp"

namespace tlsmatrix::wolfssl {

// What the callbacks hand to wolfSSL; owned by the connection, so it outlives the handshake.
struct PskState {
  std::string identity;
  std::vector<unsigned char> key;
  // wolfSSL binds an external PSK to one cipher suite, named in its own spelling.
  std::string suite_name;
  // Server, TLS 1.3: the callback found the configured identity among the client's offers.
  bool identity_matched = false;
};

// Installs config.psk on `ssl`; psk_key_exchange_modes apply only when `tls13` (the connection
// may still negotiate TLS 1.3). Throws ConfigRejected when the library cannot do what the
// config asks. Resets the cipher suite list, so call it before setting that.
void install_psk(WOLFSSL* ssl, const EndpointConfig& config, bool tls13, PskState& state);

}  // namespace tlsmatrix::wolfssl
