// Builds the SSL_CTX for one endpoint: everything in EndpointConfig that OpenSSL keeps per
// context (versions, groups, suites, credentials, verification and protocol options).
#pragma once

#include "endpoint_config.hpp"
#include "openssl_handles.hpp"

namespace tlsmatrix::openssl {

// Throws ConfigRejected naming the setting OpenSSL refused.
SslCtxPtr make_context(const EndpointConfig& config);

}  // namespace tlsmatrix::openssl
