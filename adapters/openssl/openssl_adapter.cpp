// The OpenSSL stack for tlsmatrix: every connection gets its own context built from its
// EndpointConfig.
#include <openssl/crypto.h>

#include <memory>

#include "openssl_connection.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace {

class OpensslAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    // The version text is a constant of libcrypto, the library that answers OpenSSL_version.
    const char* text = OpenSSL_version(OPENSSL_VERSION);
    return {"openssl", "OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING), text, text};
  }

  std::unique_ptr<TlsConnection> open(const EndpointConfig& config, int fd) override {
    return std::make_unique<openssl::OpensslConnection>(config, fd);
  }
};

}  // namespace

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<OpensslAdapter>();
}

}  // namespace tlsmatrix
