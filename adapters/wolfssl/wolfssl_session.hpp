// Everything one endpoint's wolfSSL connection consists of. It lives on the heap because
// wolfSSL's callbacks hold pointers into it.
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

struct Session {
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  Role role = Role::client;
  std::uint32_t timeout_ms = 0;
  // Server: the FFDHE group whose parameters back TLS 1.2 DHE when no group is negotiated.
  std::optional<std::uint16_t> dhe_parameters;
  CtxPtr ctx;
  SslPtr ssl;
  PskState psk;
  int fd = -1;
  std::vector<std::string> keylog;
};

// Builds the session `config` describes, not yet tied to a socket: most settings (groups, key
// shares, suites, SNI) live on the WOLFSSL object, so it is made and configured here. Throws
// ConfigRejected naming the setting wolfSSL refused.
std::unique_ptr<Session> configure_session(const EndpointConfig& config);
// Ties the configured session to the connected socket `fd` (not owned).
void attach_session(Session& session, int fd);

// Whether this build can report SSLKEYLOGFILE lines at all.
bool keylog_available();

}  // namespace tlsmatrix::wolfssl
