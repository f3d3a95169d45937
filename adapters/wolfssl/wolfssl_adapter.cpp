// The wolfSSL StackAdapter: the entry point tlsmatrix-peer-wolfssl calls.
#include "stack_adapter.hpp"
#include "wolfssl_connection.hpp"
#include "wolfssl_handles.hpp"
#include "wolfssl_session.hpp"

namespace tlsmatrix {
namespace {

class WolfsslAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    const char* version = wolfSSL_lib_version();  // a string constant of libwolfssl
    return {"wolfssl", "wolfSSL", version, std::string("wolfSSL ") + version, version};
  }

  std::unique_ptr<TlsConnection> open(const EndpointConfig& config, int fd) override {
    return std::make_unique<wolfssl::WolfsslConnection>(wolfssl::configure_session(config, fd));
  }
};

}  // namespace

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<WolfsslAdapter>();
}

}  // namespace tlsmatrix
