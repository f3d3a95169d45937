#include "nss_transport.hpp"

#include <private/pprio.h>
#include <prnetdb.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "nss_library.hpp"

namespace tlsmatrix::nss_adapter {
namespace {

RecordPrefixes& prefixes_of(PRFileDesc* fd) {
  return *reinterpret_cast<RecordPrefixes*>(fd->secret);
}

void keep_prefix(std::string& kept, const void* buf, PRInt32 n) {
  if (n <= 0 || kept.size() >= RecordPrefixes::kKept) return;
  const auto take = std::min(RecordPrefixes::kKept - kept.size(), static_cast<std::size_t>(n));
  kept.append(static_cast<const char*>(buf), take);
}

PRInt32 PR_CALLBACK recording_send(PRFileDesc* fd, const void* buf, PRInt32 amount, PRIntn flags,
                                   PRIntervalTime timeout) {
  const PRInt32 n = fd->lower->methods->send(fd->lower, buf, amount, flags, timeout);
  keep_prefix(prefixes_of(fd).sent, buf, n);
  return n;
}

PRInt32 PR_CALLBACK recording_recv(PRFileDesc* fd, void* buf, PRInt32 amount, PRIntn flags,
                                   PRIntervalTime timeout) {
  const PRInt32 n = fd->lower->methods->recv(fd->lower, buf, amount, flags, timeout);
  keep_prefix(prefixes_of(fd).received, buf, n);
  return n;
}

PRInt32 PR_CALLBACK recording_write(PRFileDesc* fd, const void* buf, PRInt32 amount) {
  return recording_send(fd, buf, amount, 0, PR_INTERVAL_NO_TIMEOUT);
}

PRInt32 PR_CALLBACK recording_read(PRFileDesc* fd, void* buf, PRInt32 amount) {
  return recording_recv(fd, buf, amount, 0, PR_INTERVAL_NO_TIMEOUT);
}

// NSS asks for the peer's address when a client starts (ssl_GetPeerInfo, for its session cache
// key) and fails on anything but IPv4 and IPv6. The capability probe connects endpoints over
// AF_UNIX socket pairs, so a local peer is reported as the IPv4 loopback address instead.
PRStatus PR_CALLBACK peer_name_or_loopback(PRFileDesc* fd, PRNetAddr* addr) {
  const PRStatus status = fd->lower->methods->getpeername(fd->lower, addr);
  if (status == PR_SUCCESS && addr->raw.family != PR_AF_INET && addr->raw.family != PR_AF_INET6)
    return PR_InitializeNetAddr(PR_IpAddrLoopback, 0, addr);
  return status;
}

struct TransportLayer {
  PRDescIdentity identity = PR_INVALID_IO_LAYER;
  PRIOMethods methods{};
};

const TransportLayer& transport_layer() {
  static TransportLayer layer;
  static std::once_flag once;
  std::call_once(once, [] {
    layer.identity = PR_GetUniqueIdentity("tlsmatrix-transport");
    layer.methods = *PR_GetDefaultIOMethods();
    layer.methods.getpeername = peer_name_or_loopback;
    layer.methods.send = recording_send;
    layer.methods.recv = recording_recv;
    layer.methods.write = recording_write;
    layer.methods.read = recording_read;
  });
  return layer;
}

}  // namespace

std::string RecordPrefixes::client_random(bool client) const {
  const std::string& hello = client ? sent : received;
  // A handshake record (22) that starts with a ClientHello (1).
  if (hello.size() < kKept || hello[0] != 22 || hello[5] != 1) return {};
  return hello.substr(11, 32);
}

PRFileDesc* import_connected_socket(int fd, RecordPrefixes& prefixes) {
  const int copy = dup(fd);
  if (copy < 0) throw std::runtime_error("dup() of the connected socket failed");
  PRFileDesc* tcp = PR_ImportTCPSocket(copy);
  if (tcp == nullptr) ::close(copy);
  require_library(tcp != nullptr, "importing the connected socket");
  const TransportLayer& layer = transport_layer();
  PRFileDesc* stub = PR_CreateIOLayerStub(layer.identity, &layer.methods);
  if (stub != nullptr) stub->secret = reinterpret_cast<PRFilePrivate*>(&prefixes);
  if (stub == nullptr || PR_PushIOLayer(tcp, PR_TOP_IO_LAYER, stub) != PR_SUCCESS) {
    if (stub != nullptr) stub->dtor(stub);
    PR_Close(tcp);
    require_library(false, "layering the connected socket");
  }
  return tcp;
}

}  // namespace tlsmatrix::nss_adapter
