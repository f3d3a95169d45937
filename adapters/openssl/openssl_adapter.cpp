// The OpenSSL stack for tlsmatrix: every connection gets its own context built from its
// EndpointConfig, before any socket exists.
#include <openssl/crypto.h>

#include <memory>
#include <stdexcept>

#include "openssl_connection.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace {

// The context and the SSL object, with every setting applied; only the socket is missing.
class OpensslConfigured final : public ConfiguredEndpoint {
 public:
  explicit OpensslConfigured(const EndpointConfig& config)
      : endpoint_(std::make_unique<openssl::Endpoint>(config)) {}

  std::unique_ptr<TlsConnection> attach(int fd) override {
    if (!endpoint_) throw std::logic_error("OpenSSL endpoint attached twice");
    return std::make_unique<openssl::OpensslConnection>(std::move(endpoint_), fd);
  }

 private:
  std::unique_ptr<openssl::Endpoint> endpoint_;
};

class OpensslAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    // The version text is a constant of libcrypto, the library that answers OpenSSL_version.
    const char* text = OpenSSL_version(OPENSSL_VERSION);
    return {"openssl", "OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING), text, text};
  }

  std::unique_ptr<ConfiguredEndpoint> configure(const EndpointConfig& config) override {
    return std::make_unique<OpensslConfigured>(config);
  }
};

}  // namespace

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<OpensslAdapter>();
}

}  // namespace tlsmatrix
