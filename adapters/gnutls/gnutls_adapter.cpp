// The GnuTLS stack: make_stack_adapter() for tlsmatrix-peer-gnutls.
#include <gnutls/gnutls.h>

#include <memory>
#include <stdexcept>

#include "gnutls_connection.hpp"
#include "gnutls_util.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace gnutls_adapter {
namespace {

// The session with its credentials and priorities, every setting applied; only the socket is
// missing.
class GnutlsConfigured final : public ConfiguredEndpoint {
 public:
  explicit GnutlsConfigured(const EndpointConfig& config)
      : connection_(std::make_unique<GnutlsConnection>(config)) {}

  std::unique_ptr<TlsConnection> attach(int fd) override {
    if (!connection_) throw std::logic_error("GnuTLS endpoint attached twice");
    connection_->attach(fd);
    return std::move(connection_);
  }

 private:
  std::unique_ptr<GnutlsConnection> connection_;
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
};

}  // namespace
}  // namespace gnutls_adapter

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<gnutls_adapter::GnutlsAdapter>();
}

}  // namespace tlsmatrix
