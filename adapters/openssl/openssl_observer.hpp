// Per-connection record of what OpenSSL's callbacks reported: the alerts in each direction, the
// session tickets received, whether a Certificate message arrived and the key log. One observer
// is attached to one SSL.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>
#include <vector>

#include "openssl_handles.hpp"
#include "outcome.hpp"

namespace tlsmatrix::openssl {

struct PskSettings;

class SslObserver {
 public:
  SslObserver() = default;
  SslObserver(const SslObserver&) = delete;
  SslObserver& operator=(const SslObserver&) = delete;

  // Hooks the info and message callbacks of `ssl` to this object, which must outlive it.
  void attach(SSL* ssl);
  // The observer attached to `ssl`, or null (for example an SSL we never attached).
  static SslObserver* of(const SSL* ssl);

  std::optional<Alert> alert_sent;
  std::optional<Alert> alert_received;
  // Sessions OpenSSL handed to the new-session callback that carry a ticket.
  int tickets_received = 0;
  // Where to keep the newest resumable session with a ticket (a client that resumes), or null.
  SessionPtr* newest_ticket = nullptr;
  // A Certificate (or CompressedCertificate) handshake message arrived in this handshake, as
  // OpenSSL's message callback showed it. SSL_get0_peer_certificate cannot tell: on a resumed
  // session it returns the certificate stored with the session.
  bool certificate_received = false;
  std::vector<std::string> keylog;
  // The endpoint's external PSKs (null when it has none); the PSK callbacks look them up here.
  const std::vector<PskSettings>* psks = nullptr;
};

// The key log callback exists only per SSL_CTX; it forwards each line to the SSL's observer.
void install_keylog(SSL_CTX* ctx);

// Counts the tickets a client receives, and keeps the newest where the SSL's observer asks for
// it, through the per-SSL_CTX new-session callback; this also turns on client-side session
// caching, without an internal store, so that OpenSSL calls it.
void install_ticket_counter(SSL_CTX* ctx);

}  // namespace tlsmatrix::openssl
