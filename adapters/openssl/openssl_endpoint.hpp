// One configured OpenSSL endpoint (context, connection object and its observer) that is not
// yet tied to any transport, so the same code serves a socket and an in-memory probe.
#pragma once

#include <vector>

#include "endpoint_config.hpp"
#include "openssl_handles.hpp"
#include "openssl_observer.hpp"
#include "openssl_psk.hpp"
#include "outcome.hpp"

namespace tlsmatrix::openssl {

class Endpoint {
 public:
  // Throws ConfigRejected naming the setting OpenSSL refused or cannot honour.
  explicit Endpoint(const EndpointConfig& config);
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  SSL* ssl() const { return ssl_.get(); }
  const EndpointConfig& config() const { return config_; }
  const SslObserver& observer() const { return observer_; }
  // Whether this endpoint asked OpenSSL to verify the peer's certificate.
  bool verifies_peer() const;

  // Fills what this endpoint saw; negotiated parameters only once `complete`.
  void describe(HandshakeOutcome& out, bool complete) const;

 private:
  EndpointConfig config_;
  std::vector<PskSettings> psks_;  // not resized after construction: callbacks point into it
  SslObserver observer_;           // declared before ssl_: it must outlive the SSL's callbacks
  SslCtxPtr ctx_;
  SslPtr ssl_;
};

}  // namespace tlsmatrix::openssl
