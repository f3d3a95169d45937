// A configured wolfSSL endpoint: the context it keeps across connections, and one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "wolfssl_handles.hpp"
#include "wolfssl_psk.hpp"

namespace tlsmatrix::wolfssl {

struct SessionDeleter {
  void operator()(WOLFSSL_SESSION* session) const { wolfSSL_SESSION_free(session); }
};
using SessionPtr = std::unique_ptr<WOLFSSL_SESSION, SessionDeleter>;

// What lives as long as the endpoint, across its connections: the configuration, the context
// (a server's ticket keys and session cache are in it) and a client's session to resume.
struct Context {
  Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();

  EndpointConfig config;
  CtxPtr ctx;
  // Client with session_tickets: the session its previous connection ended with, if that
  // connection received a ticket; offered on the next one.
  SessionPtr resumable;
};

// One connection. It lives on the heap because wolfSSL's callbacks hold pointers into it.
struct Session {
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  std::shared_ptr<Context> context;  // outlives ssl, which points into its WOLFSSL_CTX
  Role role = Role::client;
  std::uint32_t timeout_ms = 0;
  // Server: the FFDHE group whose parameters back TLS 1.2 DHE when no group is negotiated.
  std::optional<std::uint16_t> dhe_parameters;
  SslPtr ssl;
  PskState psk;
  int fd = -1;
  std::vector<std::string> keylog;
  // Client: NewSessionTicket messages wolfSSL handed to its ticket callback on this connection.
  int tickets_received = 0;
  // A Certificate handshake message arrived in this connection's handshake, as wolfSSL's
  // verify callback reported it; null where the build cannot report it (no
  // WOLFSSL_ALWAYS_VERIFY_CB).
  std::optional<bool> certificate_received;
};

// Builds the context `config` describes (once per endpoint). Throws ConfigRejected naming the
// setting wolfSSL refused.
std::shared_ptr<Context> configure_context(const EndpointConfig& config);
// Builds one connection from `context`, with every per-connection setting applied but no socket:
// most settings (groups, key shares, suites, SNI) live on the WOLFSSL object. The same function
// makes every connection of the endpoint, so all get the same settings. Throws ConfigRejected
// naming the setting wolfSSL refused.
std::unique_ptr<Session> new_session(const std::shared_ptr<Context>& context);
// Ties the session to the connected socket `fd` (not owned); a client offers the session its
// previous connection received, if any.
void attach_session(Session& session, int fd);

// Whether this build can report SSLKEYLOGFILE lines at all.
bool keylog_available();

}  // namespace tlsmatrix::wolfssl
