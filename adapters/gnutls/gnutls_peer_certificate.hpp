// A stack-neutral summary of the certificate the other side presented.
#pragma once

#include <gnutls/gnutls.h>

#include <optional>

#include "outcome.hpp"

namespace tlsmatrix::gnutls_adapter {

// Subject and issuer as RFC 4514 strings, the key as "ECDSA P-256" or "RSA 2048"; nullopt when
// the peer sent no certificate (also after a failed handshake that never got that far).
std::optional<PeerCertificate> peer_certificate(gnutls_session_t session);

}  // namespace tlsmatrix::gnutls_adapter
