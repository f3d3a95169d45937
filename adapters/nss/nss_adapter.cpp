// The NSS stack: make_stack_adapter() for tlsmatrix-peer-nss.
#include <nss.h>

#include <memory>

#include "nss_connection.hpp"
#include "nss_library.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace nss_adapter {
namespace {

// The endpoint's credentials and checked settings; each connection gets its own SSL socket made
// from them.
class NssConfigured final : public ConfiguredEndpoint {
 public:
  explicit NssConfigured(const EndpointConfig& config)
      : endpoint_(std::make_shared<EndpointContext>(config)) {}

  std::unique_ptr<TlsConnection> attach(int fd) override {
    return std::make_unique<NssConnection>(endpoint_, fd);
  }

 private:
  std::shared_ptr<EndpointContext> endpoint_;
};

class NssAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    const std::string version = library_version();
    // NSS_GetVersion() answers with a string constant of libnss3.
    return {"nss", "NSS", version, std::string("NSS ") + NSS_GetVersion(), NSS_GetVersion()};
  }

  std::unique_ptr<ConfiguredEndpoint> configure(const EndpointConfig& config) override {
    ensure_library();
    return std::make_unique<NssConfigured>(config);
  }

  // A serving NSS peer forks per request (request_isolation()'s default): NSS keeps the server
  // session cache (SSL_ConfigServerSessionIDCache) and the keys that protect session tickets
  // once per process, and no public call makes it forget them. Softoken's global generator
  // does not notice the fork (and its fork check is off, see ensure_library()): reseed it.
  void after_fork() override { reseed_after_fork(); }
};

}  // namespace
}  // namespace nss_adapter

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<nss_adapter::NssAdapter>();
}

}  // namespace tlsmatrix
