// One TLS endpoint driven by GnuTLS: a context configured once from its EndpointConfig, and
// one session per connection made from it, each attached to a connected socket.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "endpoint_config.hpp"
#include "gnutls_credentials.hpp"
#include "gnutls_priority.hpp"
#include "gnutls_session_context.hpp"
#include "gnutls_util.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::gnutls_adapter {

// What every connection of one endpoint shares, made once: GnuTLS has no context object, so
// this is the credentials and compiled priorities every session is given, and the state that
// carries a session from one connection to the next.
struct EndpointContext {
  // Throws ConfigRejected when GnuTLS cannot do exactly what `config` asks.
  explicit EndpointContext(const EndpointConfig& config);

  EndpointConfig config;
  Credentials credentials;
  CompiledPriority priority;
  // Server: the session ticket encryption key, one for all connections, so that a ticket issued
  // on one connection resumes on the next.
  SecretDatum ticket_key;
  // Client: the session (with the newest ticket) the previous connection received, offered by
  // the next one.
  SecretDatum resumption_data;
};

class GnutlsConnection final : public TlsConnection {
 public:
  // Creates a session with every setting of `endpoint` applied. Throws ConfigRejected when
  // GnuTLS refuses one.
  explicit GnutlsConnection(std::shared_ptr<EndpointContext> endpoint);
  ~GnutlsConnection() override;
  GnutlsConnection(const GnutlsConnection&) = delete;
  GnutlsConnection& operator=(const GnutlsConnection&) = delete;

  // Gives the session the connected socket `fd` (not owned) as its transport; a client offers the
  // session its endpoint kept from the previous connection.
  void attach(int fd);

  bool handshake() override;
  bool write_all(std::span<const std::byte> data) override;
  std::ptrdiff_t read(std::span<std::byte> buf) override;
  void close() override;
  void describe(HandshakeOutcome& outcome) const override;

 private:
  unsigned init_flags() const;
  // Applies the priorities, credentials and per-role settings to the session.
  void configure(gnutls_session_t session) const;
  // Records what a fatal error means on the wire: the alert received, or the alert we answer
  // with, and the library's error text.
  void fail(int error);
  // The identity of the external PSK the handshake used, where GnuTLS can tell.
  std::optional<std::string> psk_identity_in_use() const;
  // Client: keeps this session for the next connection if a ticket arrived, else nothing.
  void keep_session_for_resumption();

  std::shared_ptr<EndpointContext> endpoint_;
  const EndpointConfig& config_;  // endpoint_->config
  SessionContext context_;
  bool handshake_done_ = false;
  std::optional<Alert> alert_sent_;
  std::optional<Alert> alert_received_;
  std::string error_;
  // Declared last so that it is torn down before everything it points to.
  SessionPtr session_;
};

}  // namespace tlsmatrix::gnutls_adapter
