// One TLS connection driven by Mbed TLS: an ssl context made from the endpoint's shared
// configuration, attached to a connected socket through send/receive callbacks that wait at
// most timeout_ms.
#pragma once

#include <mbedtls/ssl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mbedtls_endpoint.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::mbedtls_adapter {

class MbedtlsConnection final : public TlsConnection {
 public:
  // Sets up an ssl context from `endpoint`; the socket comes with attach().
  explicit MbedtlsConnection(std::shared_ptr<EndpointContext> endpoint);
  ~MbedtlsConnection() override;
  MbedtlsConnection(const MbedtlsConnection&) = delete;
  MbedtlsConnection& operator=(const MbedtlsConnection&) = delete;

  // Gives the context the connected socket `fd` (not owned); a client offers the session its
  // endpoint kept from the previous connection.
  void attach(int fd);

  bool handshake() override;
  bool write_all(std::span<const std::byte> data) override;
  std::ptrdiff_t read(std::span<std::byte> buf) override;
  void close() override;
  void describe(HandshakeOutcome& outcome) const override;

 private:
  static int send_to_socket(void* self, const unsigned char* buf, std::size_t len);
  static int receive_from_socket(void* self, unsigned char* buf, std::size_t len);
  static void export_secret(void* self, mbedtls_ssl_key_export_type type,
                            const unsigned char* secret, std::size_t secret_len,
                            const unsigned char client_random[32],
                            const unsigned char server_random[32], mbedtls_tls_prf_types prf);

  // Waits up to timeout_ms for the socket to be ready for `events`; false on timeout.
  bool wait_for(short events) const;
  // Client: a TLS 1.3 NewSessionTicket arrived; keeps the session for the next connection.
  void take_ticket();
  // Records the library's error text and the alert received, if that is why it failed.
  void fail(int ret);
  // What the library says about PSK use and resumption in this handshake.
  void describe_psk(HandshakeOutcome& out) const;
  // The identity of the external PSK in use (not a ticket's).
  std::optional<std::string> external_psk_identity() const;

  std::shared_ptr<EndpointContext> endpoint_;
  const EndpointConfig& config_;
  HandshakeFacts facts_;
  int fd_ = -1;
  bool handshake_done_ = false;
  bool offered_session_ = false;  // client: a previous session was offered
  std::optional<Alert> alert_sent_;
  std::optional<Alert> alert_received_;
  std::string error_;
  std::vector<std::string> keylog_;
  mbedtls_ssl_context ssl_;
};

}  // namespace tlsmatrix::mbedtls_adapter
