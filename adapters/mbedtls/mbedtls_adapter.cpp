// The Mbed TLS stack: make_stack_adapter() for tlsmatrix-peer-mbedtls.
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

#include <array>
#include <memory>

#include "mbedtls_connection.hpp"
#include "mbedtls_endpoint.hpp"
#include "mbedtls_util.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {
namespace mbedtls_adapter {
namespace {

// The endpoint's configuration and its first connection, every setting applied; only the
// socket is missing.
class MbedtlsConfigured final : public ConfiguredEndpoint {
 public:
  explicit MbedtlsConfigured(const EndpointConfig& config)
      : endpoint_(std::make_shared<EndpointContext>(config)),
        first_connection_(std::make_unique<MbedtlsConnection>(endpoint_)) {}

  // Each later connection is made the same way from the same configuration, so a server's
  // ticket keys and a client's kept session carry over.
  std::unique_ptr<TlsConnection> attach(int fd) override {
    auto connection = first_connection_ ? std::move(first_connection_)
                                        : std::make_unique<MbedtlsConnection>(endpoint_);
    connection->attach(fd);
    return connection;
  }

 private:
  std::shared_ptr<EndpointContext> endpoint_;
  std::unique_ptr<MbedtlsConnection> first_connection_;
};

class MbedtlsAdapter final : public StackAdapter {
 public:
  StackIdentity identity() const override {
    const std::string version = library_version();
    std::array<char, 18> banner{};  // "Mbed TLS x.y.z" fits in the 18 bytes the API asks for
    mbedtls_version_get_string_full(banner.data());
    // A cipher suite's name is a string constant of libmbedtls itself.
    return {"mbedtls", "Mbed TLS", version, banner.data(),
            mbedtls_ssl_get_ciphersuite_name(MBEDTLS_TLS1_3_AES_128_GCM_SHA256)};
  }

  std::unique_ptr<ConfiguredEndpoint> configure(const EndpointConfig& config) override {
    return std::make_unique<MbedtlsConfigured>(config);
  }

  // The SSL configuration, its session cache, ticket keys and PSKs (PSA keys destroyed with
  // the configuration) belong to each endpoint; the one process-wide thing is PSA's random
  // generator, which runs on.
  RequestIsolation request_isolation() const override { return RequestIsolation::in_process; }
};

}  // namespace
}  // namespace mbedtls_adapter

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<mbedtls_adapter::MbedtlsAdapter>();
}

}  // namespace tlsmatrix
