// The Botan 3 stack: make_stack_adapter() for tlsmatrix-peer-botan.
#include <botan/version.h>

#include <cstdlib>
#include <memory>

#include "botan_connection.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace botan_adapter {
namespace {

// The endpoint's policy, credentials and session manager; a channel is made per connection in
// attach(), since a Botan client sends its ClientHello as it is constructed.
class BotanConfigured final : public ConfiguredEndpoint {
 public:
  explicit BotanConfigured(const EndpointConfig& config)
      : endpoint_(std::make_shared<EndpointContext>(config)) {}

  std::unique_ptr<TlsConnection> attach(int fd) override {
    return std::make_unique<BotanConnection>(endpoint_, fd);
  }

 private:
  std::shared_ptr<EndpointContext> endpoint_;
};

class BotanAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    // version_cstr() answers with a string constant of libbotan.
    return {"botan", "Botan", Botan::short_version_string(), Botan::version_string(),
            Botan::version_cstr()};
  }

  std::unique_ptr<ConfiguredEndpoint> configure(const EndpointConfig& config) override {
    return std::make_unique<BotanConfigured>(config);
  }

  // Each endpoint has its own session manager (tickets, cache) and credentials.
  RequestIsolation request_isolation() const override { return RequestIsolation::in_process; }
};

}  // namespace
}  // namespace botan_adapter

std::unique_ptr<StackAdapter> make_stack_adapter() {
  // Botan hands RSA private-key work to a global thread pool, made on first use: threads that
  // outlive every request and that a forked process would have without their threads (seen,
  // when serving peers forked, as servers with RSA certificates that never answered). "none"
  // runs that work in the calling thread (Botan's BOTAN_THREAD_POOL_SIZE).
  ::setenv("BOTAN_THREAD_POOL_SIZE", "none", 1);
  return std::make_unique<botan_adapter::BotanAdapter>();
}

}  // namespace tlsmatrix
