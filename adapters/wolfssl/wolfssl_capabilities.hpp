// What the linked wolfSSL can do, found by asking it on scratch objects.
#pragma once

#include "capabilities.hpp"

namespace tlsmatrix::wolfssl {

Capabilities probe_capabilities();

}  // namespace tlsmatrix::wolfssl
