// One TLS endpoint driven by GnuTLS: configured from its EndpointConfig first, then attached to
// a connected socket.
#pragma once

#include <optional>
#include <string>

#include "endpoint_config.hpp"
#include "gnutls_credentials.hpp"
#include "gnutls_priority.hpp"
#include "gnutls_session_context.hpp"
#include "gnutls_util.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::gnutls_adapter {

class GnutlsConnection final : public TlsConnection {
 public:
  // Creates and configures the session. Throws ConfigRejected when GnuTLS cannot do exactly
  // what `config` asks.
  explicit GnutlsConnection(const EndpointConfig& config);
  ~GnutlsConnection() override;
  GnutlsConnection(const GnutlsConnection&) = delete;
  GnutlsConnection& operator=(const GnutlsConnection&) = delete;

  // Gives the session the connected socket `fd` (not owned) as its transport.
  void attach(int fd);

  bool handshake() override;
  bool write_all(std::span<const std::byte> data) override;
  std::ptrdiff_t read(std::span<std::byte> buf) override;
  void close() override;
  void describe(HandshakeOutcome& outcome) const override;

 private:
  // The server's session ticket encryption key, wiped when the connection ends.
  struct TicketKey {
    gnutls_datum_t key{nullptr, 0};
    TicketKey() = default;
    TicketKey(const TicketKey&) = delete;
    TicketKey& operator=(const TicketKey&) = delete;
    ~TicketKey();
  };

  unsigned init_flags() const;
  // Applies the priorities, credentials and per-role settings to the session.
  void configure(gnutls_session_t session) const;
  // Records what a fatal error means on the wire: the alert received, or the alert we answer
  // with, and the library's error text.
  void fail(int error);
  // The identity of the external PSK the handshake used, where GnuTLS can tell.
  std::optional<std::string> psk_identity_in_use() const;

  EndpointConfig config_;
  Credentials credentials_;
  CompiledPriority priority_;
  TicketKey ticket_key_;
  SessionContext context_;
  bool handshake_done_ = false;
  std::optional<Alert> alert_sent_;
  std::optional<Alert> alert_received_;
  std::string error_;
  // Declared last so that it is torn down before everything it points to.
  SessionPtr session_;
};

}  // namespace tlsmatrix::gnutls_adapter
