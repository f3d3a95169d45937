// Per-connection record of what OpenSSL's callbacks reported: the hello messages that went by,
// the alerts in each direction and the key log. One observer is attached to one SSL.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "outcome.hpp"

namespace tlsmatrix::openssl {

struct PskSettings;

struct HelloLog {
  int client_hellos = 0;
  // Groups that got a key share in the first ClientHello, in the order sent.
  std::vector<std::uint16_t> first_key_shares;
  bool hello_retry_request = false;
  // The key_share group of the final (non-HRR) ServerHello; TLS 1.3 only.
  std::optional<std::uint16_t> server_key_share;
  int new_session_tickets = 0;
};

class SslObserver {
 public:
  SslObserver() = default;
  SslObserver(const SslObserver&) = delete;
  SslObserver& operator=(const SslObserver&) = delete;

  // Hooks the message and info callbacks of `ssl` to this object, which must outlive it.
  void attach(SSL* ssl);
  // The observer attached to `ssl`, or null (for example an SSL we never attached).
  static SslObserver* of(const SSL* ssl);

  HelloLog hello;
  std::optional<Alert> alert_sent;
  std::optional<Alert> alert_received;
  std::vector<std::string> keylog;
  const PskSettings* psk = nullptr;  // set when this endpoint has an external PSK
};

// The key log callback exists only per SSL_CTX; it forwards each line to the SSL's observer.
void install_keylog(SSL_CTX* ctx);

}  // namespace tlsmatrix::openssl
