// The GnuTLS priority string for an endpoint: versions, groups, cipher suites, PSK modes and
// server precedence. GnuTLS only takes suites as a cross product of cipher, MAC and key exchange
// tokens, so after compiling the string this module checks that the library enables exactly
// what the configuration asked for, and refuses the configuration otherwise.
#pragma once

#include <string>

#include "endpoint_config.hpp"
#include "gnutls_util.hpp"

namespace tlsmatrix::gnutls_adapter {

struct CompiledPriority {
  PriorityPtr cache;
  std::string text;
};

// Throws ConfigRejected naming the setting that GnuTLS cannot express exactly.
CompiledPriority compile_priority(const EndpointConfig& config);

}  // namespace tlsmatrix::gnutls_adapter
