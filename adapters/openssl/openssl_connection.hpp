// TlsConnection over a connected socket: drives a configured Endpoint with blocking I/O and
// keeps the library's own words for whatever went wrong.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "openssl_endpoint.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::openssl {

class OpensslConnection final : public TlsConnection {
 public:
  // Binds `endpoint` to `fd`, which it does not take ownership of.
  OpensslConnection(std::unique_ptr<Endpoint> endpoint, int fd);

  bool handshake() override;
  bool write_all(std::span<const std::byte> data) override;
  std::ptrdiff_t read(std::span<std::byte> buf) override;
  void close() override;
  void describe(HandshakeOutcome& outcome) const override;

 private:
  void record_failure(std::string_view step, int ret);

  std::unique_ptr<Endpoint> endpoint_;  // on the heap: OpenSSL's callbacks point into it
  bool complete_ = false;
  std::string error_;
};

}  // namespace tlsmatrix::openssl
