// OpenSSL reports failures through a per-thread error queue; this turns it into text.
#pragma once

#include <string>

namespace tlsmatrix::openssl {

// Empties the queue and returns its entries in OpenSSL's own words, oldest first, joined by
// "; " (empty when the queue was empty).
std::string drain_errors();

}  // namespace tlsmatrix::openssl
