// Certificates and keys from the PEM a request carries, held as NSS temporary certificates and
// session key objects (nothing is written to a database), the chain check against the request's
// trust anchors, and what a report says about a peer's certificate.
#pragma once

#include <cert.h>
#include <keyhi.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "outcome.hpp"

namespace tlsmatrix::nss_adapter {

struct CertificateDeleter {
  void operator()(CERTCertificate* c) const { CERT_DestroyCertificate(c); }
};
struct PrivateKeyDeleter {
  void operator()(SECKEYPrivateKey* k) const { SECKEY_DestroyPrivateKey(k); }
};
using CertificatePtr = std::unique_ptr<CERTCertificate, CertificateDeleter>;
using PrivateKeyPtr = std::unique_ptr<SECKEYPrivateKey, PrivateKeyDeleter>;

// One endpoint's certificates: its own (leaf first; intermediates stay known as temporary
// certificates so NSS finds them when it sends the chain) and the trust anchors it verifies with.
struct Credentials {
  std::vector<CertificatePtr> chain;
  PrivateKeyPtr key;
  std::vector<CertificatePtr> anchors;
  // The name the peer's certificate must carry; empty: no name check.
  std::string expected_name;
};

// Throws ConfigRejected (setting `certificate` or `trust_anchors_pem`) for PEM NSS cannot take.
Credentials make_credentials(const EndpointConfig& config);

// Verifies `peer` against the anchors for the given use (certificateUsageSSLServer/-Client) and,
// when set, the expected name. On failure sets NSS's error code and returns false.
bool verify_peer(const Credentials& credentials, CERTCertificate* peer, SECCertificateUsage usage);

PeerCertificate describe_certificate(CERTCertificate* cert);

}  // namespace tlsmatrix::nss_adapter
