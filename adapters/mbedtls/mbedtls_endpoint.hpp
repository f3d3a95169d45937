// What every connection of one endpoint shares, made once from its EndpointConfig: the Mbed TLS
// configuration with its credentials, PSKs and ticket keys, and the session a client carries
// from one connection to the next.
#pragma once

#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_config.hpp"

namespace tlsmatrix::mbedtls_adapter {

// What the callbacks on the shared configuration learn about the one connection in progress.
struct HandshakeFacts {
  std::optional<std::string> psk_identity;  // server: the external PSK its callback selected
  bool ticket_accepted = false;             // server: a ticket of ours decrypted and parsed
  int tickets_received = 0;                 // client: NewSessionTicket messages read
  // TLS 1.3: the key exchange mode the library logged choosing: "psk_ke", "psk_dhe_ke", or
  // "certificate" for (EC)DHE with certificates.
  std::optional<std::string> key_exchange;
  bool tls12_resumed = false;  // client: the library logged a resumed TLS 1.2 session
};

class EndpointContext {
 public:
  // Throws ConfigRejected when Mbed TLS cannot do exactly what `config` asks.
  explicit EndpointContext(const EndpointConfig& config);
  ~EndpointContext();
  EndpointContext(const EndpointContext&) = delete;
  EndpointContext& operator=(const EndpointContext&) = delete;

  const EndpointConfig& config() const { return config_; }
  const mbedtls_ssl_config* ssl_config() const { return &conf_; }

  // The connection whose handshake the configuration's callbacks currently serve.
  void set_current(HandshakeFacts* facts) { current_ = facts; }

  // Client: offers `ssl` the session the previous connection received, if any, once; says
  // whether there was one.
  bool offer_resumption(mbedtls_ssl_context& ssl);
  // Client: keeps the session `ssl` holds (with its newest ticket) for the next connection.
  void keep_resumption(const mbedtls_ssl_context& ssl);

 private:
  void apply_versions();
  void apply_groups();
  void apply_cipher_suites();
  void apply_credentials();
  void apply_psks();
  void apply_tickets();

  static int select_psk(void* self, mbedtls_ssl_context* ssl, const unsigned char* identity,
                        std::size_t identity_len);
  // Mbed TLS 3.6 has no getter for the TLS 1.3 key exchange mode or for "resumed"; its debug
  // output states both, so the adapter reads those lines (library_init() sets the level).
  static void read_debug_line(void* self, int level, const char* file, int line,
                              const char* message);
  static int write_ticket(void* self, const mbedtls_ssl_session* session, unsigned char* start,
                          const unsigned char* end, std::size_t* length, std::uint32_t* lifetime);
  static int parse_ticket(void* self, mbedtls_ssl_session* session, unsigned char* buf,
                          std::size_t len);

  EndpointConfig config_;
  mbedtls_ssl_config conf_;
  mbedtls_x509_crt own_chain_;
  mbedtls_pk_context own_key_;
  mbedtls_x509_crt trust_anchors_;
  mbedtls_ssl_ticket_context ticket_keys_;
  // Arrays the configuration points into: Mbed TLS keeps the pointers, not copies.
  std::vector<std::uint16_t> groups_;
  std::vector<int> cipher_suites_;
  std::vector<std::string> psk_secrets_;  // per config_.psks entry, decoded
  mbedtls_ssl_session resumption_;
  bool have_resumption_ = false;
  HandshakeFacts* current_ = nullptr;
};

}  // namespace tlsmatrix::mbedtls_adapter
