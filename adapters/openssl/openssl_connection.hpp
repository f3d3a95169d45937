// TlsConnection over a connected socket: drives an Endpoint with blocking I/O and keeps the
// library's own words for whatever went wrong.
#pragma once

#include <string>
#include <string_view>

#include "openssl_endpoint.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::openssl {

class OpensslConnection final : public TlsConnection {
 public:
  // Throws ConfigRejected (see Endpoint). Does not take ownership of `fd`.
  OpensslConnection(const EndpointConfig& config, int fd);

  bool handshake() override;
  bool write_all(std::span<const std::byte> data) override;
  std::ptrdiff_t read(std::span<std::byte> buf) override;
  void close() override;
  void describe(HandshakeOutcome& outcome) const override;

 private:
  void record_failure(std::string_view step, int ret);

  Endpoint endpoint_;
  bool complete_ = false;
  std::string error_;
};

}  // namespace tlsmatrix::openssl
