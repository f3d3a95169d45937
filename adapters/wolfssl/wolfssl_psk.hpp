// External PSKs (RFC 8446 §4.2.11) through wolfSSL's PSK callbacks, and RFC 9973
// tls_cert_with_extern_psk where the build has it.
#pragma once

#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "outcome.hpp"
#include "wolfssl_handles.hpp"

namespace tlsmatrix::wolfssl {

// One configured PSK as the callbacks hand it to wolfSSL.
struct PskEntry {
  std::string identity;
  std::vector<unsigned char> key;
  // wolfSSL binds an external PSK to one TLS 1.3 cipher suite, named in its own spelling.
  std::string suite_name;
};

// What the handshake's last ServerHello (not a HelloRetryRequest) carried, as wolfSSL reported
// the message through its message callback: sent by a server, received by a client.
struct ServerHelloExtensions {
  bool seen = false;
  bool pre_shared_key = false;
  bool key_share = false;
  bool cert_with_extern_psk = false;
};

// What the callbacks read and write; owned by the session, so it outlives the handshake.
struct PskState {
  Role role = Role::client;
  std::vector<PskEntry> psks;
  // Server: its own last ServerHello.
  ServerHelloExtensions server_hello;
  // Client: its own last ClientHello had gone out, the psk_key_exchange_modes it offered, and
  // how often wolfSSL asked the TLS 1.3 PSK callback since, with which identity pre-filled.
  bool client_hello_sent = false;
  std::vector<std::string> offered_modes;
  int calls_after_client_hello = 0;
  std::string chosen_identity;
};

// Installs config.psks, psk_modes and cert_with_extern_psk on `ssl`; the TLS 1.3 settings apply
// only when `tls13` (the connection may still negotiate TLS 1.3). Throws ConfigRejected when the
// library cannot do exactly what the config asks. Resets the cipher suite list, so call it
// before setting that.
void install_psk(WOLFSSL* ssl, const EndpointConfig& config, bool tls13, PskState& state);

// Feeds one message from wolfSSL's message callback (OPENSSL_EXTRA) to the PSK bookkeeping: the
// ClientHello and ServerHello this side sends.
void note_psk_message(PskState& state, int write_p, int version, int content_type, const void* buf,
                      size_t len, WOLFSSL* ssl);

// psk_used, psk_mode and psk_identity of a completed handshake: a resumed TLS 1.3 session, or
// one of the external PSKs configured.
void describe_psk(WOLFSSL* ssl, const PskState& state, const EndpointConfig& config,
                  HandshakeOutcome& out);

}  // namespace tlsmatrix::wolfssl
