// The GnuTLS stack: make_stack_adapter() for tlsmatrix-peer-gnutls.
#include <gnutls/gnutls.h>

#include <memory>

#include "gnutls_connection.hpp"
#include "gnutls_util.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace gnutls_adapter {
namespace {

// The endpoint's context and its first session, every setting applied; only the socket is
// missing.
class GnutlsConfigured final : public ConfiguredEndpoint {
 public:
  explicit GnutlsConfigured(const EndpointConfig& config)
      : endpoint_(std::make_shared<EndpointContext>(config)),
        first_connection_(std::make_unique<GnutlsConnection>(endpoint_)) {}

  // The first session was made in configure() so that GnuTLS could refuse a setting there; each
  // later one is made the same way from the same context.
  std::unique_ptr<TlsConnection> attach(int fd) override {
    auto connection = first_connection_ ? std::move(first_connection_)
                                        : std::make_unique<GnutlsConnection>(endpoint_);
    connection->attach(fd);
    return connection;
  }

 private:
  std::shared_ptr<EndpointContext> endpoint_;
  std::unique_ptr<GnutlsConnection> first_connection_;
};

class GnutlsAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    const std::string version = library_version();
    // gnutls_check_version(NULL) answers with a string constant of libgnutls.
    return {"gnutls", "GnuTLS", version, "GnuTLS " + version, gnutls_check_version(nullptr)};
  }

  std::unique_ptr<ConfiguredEndpoint> configure(const EndpointConfig& config) override {
    return std::make_unique<GnutlsConfigured>(config);
  }

  // Credentials, priorities and the server's ticket key belong to each endpoint.
  RequestIsolation request_isolation() const override { return RequestIsolation::in_process; }
};

}  // namespace
}  // namespace gnutls_adapter

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<gnutls_adapter::GnutlsAdapter>();
}

}  // namespace tlsmatrix
