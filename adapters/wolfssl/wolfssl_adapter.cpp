// The wolfSSL StackAdapter: the entry point tlsmatrix-peer-wolfssl calls.
#include <stdexcept>

#include "stack_adapter.hpp"
#include "wolfssl_connection.hpp"
#include "wolfssl_handles.hpp"
#include "wolfssl_session.hpp"

namespace tlsmatrix {
namespace {

// The context and the WOLFSSL object, with every setting applied; only the socket is missing.
class WolfsslConfigured final : public ConfiguredEndpoint {
 public:
  explicit WolfsslConfigured(const EndpointConfig& config)
      : session_(wolfssl::configure_session(config)) {}

  std::unique_ptr<TlsConnection> attach(int fd) override {
    if (!session_) throw std::logic_error("wolfSSL endpoint attached twice");
    wolfssl::attach_session(*session_, fd);
    return std::make_unique<wolfssl::WolfsslConnection>(std::move(session_));
  }

 private:
  std::unique_ptr<wolfssl::Session> session_;
};

class WolfsslAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    const char* version = wolfSSL_lib_version();  // a string constant of libwolfssl
    return {"wolfssl", "wolfSSL", version, std::string("wolfSSL ") + version, version};
  }

  std::unique_ptr<ConfiguredEndpoint> configure(const EndpointConfig& config) override {
    return std::make_unique<WolfsslConfigured>(config);
  }
};

}  // namespace

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<WolfsslAdapter>();
}

}  // namespace tlsmatrix
