// The peer's leaf certificate in the suite's terms: subject, issuer, "ECDSA P-256" / "RSA 2048".
#pragma once

#include <botan/x509cert.h>

#include "outcome.hpp"

namespace tlsmatrix::botan_adapter {

PeerCertificate describe_certificate(const Botan::X509_Certificate& cert);

}  // namespace tlsmatrix::botan_adapter
