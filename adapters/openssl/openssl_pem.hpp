// Certificates, keys and trust anchors arrive inline as PEM text; these read them from memory.
// Each returns empty/null on failure and leaves the reason on OpenSSL's error queue.
#pragma once

#include <string_view>
#include <vector>

#include "openssl_handles.hpp"

namespace tlsmatrix::openssl {

std::vector<X509Ptr> read_certificates(std::string_view pem);
PkeyPtr read_private_key(std::string_view pem);
// A store trusting every certificate in `pem`; an empty `pem` gives an empty store.
X509StorePtr make_trust_store(std::string_view pem);

}  // namespace tlsmatrix::openssl
