// What the linked OpenSSL can do, found out by asking it and by in-memory handshakes.
#pragma once

#include "capabilities.hpp"

namespace tlsmatrix::openssl {

Capabilities probe_capabilities();

}  // namespace tlsmatrix::openssl
