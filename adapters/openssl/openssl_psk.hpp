// External PSKs: TLS 1.3 ones through OpenSSL's session callbacks (RFC 8446 §4.2.11), and the
// TLS 1.2 PSK cipher suites through the older identity callbacks.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "endpoint_config.hpp"

namespace tlsmatrix::openssl {

struct PskSettings {
  std::string identity;
  std::vector<unsigned char> key;
  std::string hash;  // "SHA256" or "SHA384", as OpenSSL names the digests
};

// Throws ConfigRejected naming the psk setting when the key cannot be used.
PskSettings make_psk_settings(const ExternalPsk& psk);

// OpenSSL servers pick the TLS 1.3 suite before looking at PSKs and then drop a PSK whose hash
// does not match (RFC 8446 §4.2.11 asks for a compatible pair). When a ClientHello offers our
// identity, this narrows that connection's TLS 1.3 suites to the PSK's hash first.
void prefer_psk_compatible_suites(SSL_CTX* ctx);

// Installs the callbacks for `role` on `ssl`; they find the key through the SSL's observer.
// `tls12_suites` also enables the TLS 1.2 callbacks, which make OpenSSL offer every PSK suite
// in its cipher list, so they are only wanted when such a suite was asked for.
void install_psk_callbacks(SSL* ssl, Role role, bool tls12_suites);

}  // namespace tlsmatrix::openssl
