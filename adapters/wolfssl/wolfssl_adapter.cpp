// The wolfSSL StackAdapter: the entry point tlsmatrix-peer-wolfssl calls.
#include <memory>

#include "stack_adapter.hpp"
#include "wolfssl_connection.hpp"
#include "wolfssl_handles.hpp"
#include "wolfssl_session.hpp"

namespace tlsmatrix {
namespace {

// The context, and the first connection's WOLFSSL object with every setting applied (so that
// configure() refuses what wolfSSL refuses); later connections get a fresh one from the same
// context with the same settings.
class WolfsslConfigured final : public ConfiguredEndpoint {
 public:
  explicit WolfsslConfigured(const EndpointConfig& config)
      : context_(wolfssl::configure_context(config)), first_(wolfssl::new_session(context_)) {}

  std::unique_ptr<TlsConnection> attach(int fd) override {
    auto session = first_ ? std::move(first_) : wolfssl::new_session(context_);
    wolfssl::attach_session(*session, fd);
    return std::make_unique<wolfssl::WolfsslConnection>(std::move(session));
  }

 private:
  std::shared_ptr<wolfssl::Context> context_;
  std::unique_ptr<wolfssl::Session> first_;
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

  // Context, credentials and the server's ticket keys belong to each endpoint, and each
  // WOLFSSL object seeds its own generator; the session tables are process-wide and are
  // emptied after each request where the build can (forget_sessions). Where it cannot, each
  // request gets a forked process.
  RequestIsolation request_isolation() const override {
    return wolfssl::can_forget_sessions() ? RequestIsolation::in_process : RequestIsolation::fork;
  }
  void after_request() override { wolfssl::forget_sessions(); }
};

}  // namespace

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<WolfsslAdapter>();
}

}  // namespace tlsmatrix
