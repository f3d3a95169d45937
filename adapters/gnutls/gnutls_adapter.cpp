// The GnuTLS stack: make_stack_adapter() for tlsmatrix-peer-gnutls.
#include <gnutls/gnutls.h>

#include <memory>

#include "gnutls_connection.hpp"
#include "gnutls_util.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace gnutls_adapter {
namespace {

class GnutlsAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    const std::string version = library_version();
    // gnutls_check_version(NULL) answers with a string constant of libgnutls.
    return {"gnutls", "GnuTLS", version, "GnuTLS " + version, gnutls_check_version(nullptr)};
  }

  std::unique_ptr<TlsConnection> open(const EndpointConfig& config, int fd) override {
    return std::make_unique<GnutlsConnection>(config, fd);
  }
};

}  // namespace
}  // namespace gnutls_adapter

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<gnutls_adapter::GnutlsAdapter>();
}

}  // namespace tlsmatrix
