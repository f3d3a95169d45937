// One configured OpenSSL endpoint, not yet tied to any transport, so the same code serves a
// socket and an in-memory probe: the library context every connection of the cell shares
// (EndpointContext), and one connection object made from it (Endpoint).
#pragma once

#include <memory>
#include <vector>

#include "endpoint_config.hpp"
#include "openssl_handles.hpp"
#include "openssl_observer.hpp"
#include "openssl_psk.hpp"
#include "outcome.hpp"

namespace tlsmatrix::openssl {

// What lives as long as the configuration: the SSL_CTX (a server's ticket keys and session
// cache are in it), the external PSKs and, on a client that resumes, the newest ticket.
class EndpointContext {
 public:
  // Throws ConfigRejected naming the setting OpenSSL refused or cannot honour.
  explicit EndpointContext(const EndpointConfig& config);
  EndpointContext(const EndpointContext&) = delete;
  EndpointContext& operator=(const EndpointContext&) = delete;

  const EndpointConfig& config() const { return config_; }
  SSL_CTX* ctx() const { return ctx_.get(); }
  const std::vector<PskSettings>& psks() const { return psks_; }
  bool tls12_psk_suites() const { return tls12_psk_suites_; }
  // Whether this client offers, on its next connection, the ticket its previous one received.
  bool resumes() const;

  // The newest resumable session with a ticket the previous connection received (client with
  // session_tickets); the next connection takes it out and offers it.
  SessionPtr newest_ticket;

 private:
  EndpointConfig config_;
  std::vector<PskSettings> psks_;  // not resized after construction: callbacks point into it
  bool tls12_psk_suites_ = false;
  SslCtxPtr ctx_;
};

// One connection: an SSL from the shared context with every per-connection setting applied.
class Endpoint {
 public:
  // Throws ConfigRejected naming the setting OpenSSL refused or cannot honour.
  explicit Endpoint(std::shared_ptr<EndpointContext> context);
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  SSL* ssl() const { return ssl_.get(); }
  const EndpointConfig& config() const { return context_->config(); }
  const SslObserver& observer() const { return observer_; }
  // Whether this endpoint asked OpenSSL to verify the peer's certificate.
  bool verifies_peer() const;

  // Fills what this endpoint saw; negotiated parameters only once `complete`.
  void describe(HandshakeOutcome& out, bool complete) const;

 private:
  std::shared_ptr<EndpointContext> context_;  // outlives ssl_: its callbacks point into it
  SslObserver observer_;                      // declared before ssl_: it must outlive the SSL
  SslPtr ssl_;
};

}  // namespace tlsmatrix::openssl
