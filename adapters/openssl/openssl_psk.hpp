// External PSKs: TLS 1.3 ones through OpenSSL's session callbacks (RFC 8446 §4.2.11), and the
// TLS 1.2 PSK cipher suites through the older identity callbacks.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "endpoint_config.hpp"

namespace tlsmatrix::openssl {

struct PskSettings {
  std::string identity;  // raw bytes, possibly binary
  std::vector<unsigned char> key;
  std::string hash;  // "SHA256" or "SHA384", as OpenSSL names the digests
};

// Where the endpoint's PSKs may be used: TLS 1.3 (session callbacks) and/or the TLS 1.2 PSK
// cipher suites (identity callbacks, NUL-terminated identities).
struct PskUse {
  bool tls13 = false;
  bool tls12_suites = false;
};

// The PSKs of `config` as OpenSSL takes them. Throws ConfigRejected naming `psks` for what the
// callbacks cannot carry: more than one TLS 1.3 PSK on a client, a key too long for a session,
// a TLS 1.2 identity with a NUL byte or beyond OpenSSL's length limit.
std::vector<PskSettings> make_psk_settings(const EndpointConfig& config, PskUse use);

// OpenSSL servers pick the TLS 1.3 suite before looking at PSKs and then drop a PSK whose hash
// does not match (RFC 8446 §4.2.11 asks for a compatible pair). When a ClientHello offers one of
// our identities, this narrows that connection's TLS 1.3 suites to the hash of the first offered
// identity we know and for which a suite of ours is among the client's.
void prefer_psk_compatible_suites(SSL_CTX* ctx);

// Installs the callbacks for `role` on `ssl`; they find the keys through the SSL's observer.
// `tls12_suites` also enables the TLS 1.2 callbacks, which make OpenSSL offer every PSK suite
// in its cipher list, so they are only wanted when such a suite was asked for.
void install_psk_callbacks(SSL* ssl, Role role, bool tls12_suites);

// The external PSK behind the TLS 1.3 session `ssl` uses: the sessions our callbacks make are
// marked with their PSK (OpenSSL copies the mark when it duplicates one). Null for a session
// that did not come from an external PSK, such as a ticket.
const PskSettings* external_psk_of(const SSL* ssl);
// Removes the mark from a session OpenSSL derived from a marked one (a client's ticket).
void unmark_external_psk(SSL_SESSION* session);

}  // namespace tlsmatrix::openssl
