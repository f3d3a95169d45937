// The connected descriptor as an NSPR socket NSS can run TLS over, with a thin layer under TLS
// that sees the records as they pass.
#pragma once

#include <prio.h>

#include <string>

namespace tlsmatrix::nss_adapter {

// The first bytes each way, enough to read the ClientHello's random (record header 5, handshake
// header 4, legacy_version 2, random 32: RFC 8446 §5.1, §4.1.2), which NSS has no getter for.
struct RecordPrefixes {
  static constexpr std::size_t kKept = 43;
  std::string sent;
  std::string received;
  // The ClientHello's random as a client sent it or a server received it; empty before that.
  std::string client_random(bool client) const;
};

// A TCP-style NSPR socket over a duplicate of `fd` (NSPR closes what it imports; the adapter
// does not own `fd`), recording into `prefixes`, which must outlive the socket. Throws
// std::runtime_error when NSPR cannot import it.
PRFileDesc* import_connected_socket(int fd, RecordPrefixes& prefixes);

}  // namespace tlsmatrix::nss_adapter
