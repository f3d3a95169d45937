// A one-line summary of the certificate the other side presented.
#pragma once

#include <optional>

#include "outcome.hpp"
#include "wolfssl_handles.hpp"

namespace tlsmatrix::wolfssl {

std::optional<PeerCertificate> summarize_peer_certificate(WOLFSSL* ssl);

}  // namespace tlsmatrix::wolfssl
