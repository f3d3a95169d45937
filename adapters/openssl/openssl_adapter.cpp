// The OpenSSL stack for tlsmatrix: every configuration gets its own context built from its
// EndpointConfig, before any socket exists, and every connection of it an SSL from that context.
#include <openssl/crypto.h>

#include <memory>

#include "openssl_connection.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace {

// The context and the first connection's SSL object, with every setting applied; only the
// socket is missing. Later connections get an SSL made the same way from the same context.
class OpensslConfigured final : public ConfiguredEndpoint {
 public:
  explicit OpensslConfigured(const EndpointConfig& config)
      : context_(std::make_shared<openssl::EndpointContext>(config)),
        first_(std::make_unique<openssl::Endpoint>(context_)) {}

  std::unique_ptr<TlsConnection> attach(int fd) override {
    auto endpoint = first_ ? std::move(first_) : std::make_unique<openssl::Endpoint>(context_);
    return std::make_unique<openssl::OpensslConnection>(std::move(endpoint), fd);
  }

 private:
  std::shared_ptr<openssl::EndpointContext> context_;
  std::unique_ptr<openssl::Endpoint> first_;  // made by configure(), so its refusals come there
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

  // Session cache and ticket keys live in each endpoint's SSL_CTX.
  RequestIsolation request_isolation() const override { return RequestIsolation::in_process; }
};

}  // namespace

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<OpensslAdapter>();
}

}  // namespace tlsmatrix
