// The OpenSSL stack for tlsmatrix: capabilities are probed once per process, and every
// connection gets its own context built from its EndpointConfig.
#include <memory>

#include "openssl_capabilities.hpp"
#include "openssl_connection.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace {

class OpensslAdapter final : public StackAdapter {
 public:
  Capabilities capabilities() const override { return openssl::probe_capabilities(); }

  std::unique_ptr<TlsConnection> open(const EndpointConfig& config, int fd) override {
    return std::make_unique<openssl::OpensslConnection>(config, fd);
  }
};

}  // namespace

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<OpensslAdapter>();
}

}  // namespace tlsmatrix
