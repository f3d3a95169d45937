// GnuTLS credentials for an endpoint, all loaded from the PEM and hex text in its configuration.
#pragma once

#include "endpoint_config.hpp"
#include "gnutls_util.hpp"

namespace tlsmatrix::gnutls_adapter {

struct Credentials {
  CertificateCredentialsPtr certificate;  // always present: trust anchors and own chain
  PskClientCredentialsPtr psk_client;
  PskServerCredentialsPtr psk_server;
};

// Throws ConfigRejected naming certificate, trust_anchors_pem, psks or
// cert_with_extern_psk when the library refuses it.
Credentials make_credentials(const EndpointConfig& config);
// Attaches every credential to the session; the credentials must outlive it.
void attach_credentials(gnutls_session_t session, const Credentials& credentials);

}  // namespace tlsmatrix::gnutls_adapter
