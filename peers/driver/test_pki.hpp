// The committed test PKI (suites/pki), compiled in so the capability probe needs no files and
// generates no keys at run time.
#pragma once

#include <string>

#include "endpoint_config.hpp"

namespace tlsmatrix::test_pki {

// Both server certificates are for kServerName, issued by the ECDSA and the RSA root.
inline constexpr const char* kServerName = "server.tlsmatrix.test";

CertifiedKey server_ecdsa();
CertifiedKey server_rsa();
CertifiedKey client_ecdsa();  // issued by the ECDSA root
std::string roots();          // both roots, PEM
}  // namespace tlsmatrix::test_pki
