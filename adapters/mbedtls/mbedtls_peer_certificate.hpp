// The peer's leaf certificate in the stack-neutral form of outcome.hpp.
#pragma once

#include <mbedtls/ssl.h>

#include <optional>

#include "outcome.hpp"

namespace tlsmatrix::mbedtls_adapter {

// Null when the peer sent no certificate.
std::optional<PeerCertificate> peer_certificate(const mbedtls_ssl_context& ssl);

}  // namespace tlsmatrix::mbedtls_adapter
