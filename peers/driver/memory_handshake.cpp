#include "memory_handshake.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "loopback_socket.hpp"
#include "tls_session.hpp"
#include "tls_transcript.hpp"

namespace tlsmatrix {
namespace {

// [0] goes to the endpoint, [1] to the pump.
std::array<Socket, 2> socket_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::runtime_error("socketpair failed");
  return {Socket(fds[0]), Socket(fds[1])};
}

// One direction of the pump: what `from` sends is recorded and passed on to `to`.
struct Direction {
  const Socket& from;
  const Socket& to;
  std::vector<std::uint8_t>& recorded;
  bool open = true;

  void move() {
    std::uint8_t buf[16384];
    const auto n = ::recv(from.fd(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      // The sender is done: pass the end on, so the other side stops waiting too.
      ::shutdown(to.fd(), SHUT_WR);
      open = false;
      return;
    }
    recorded.insert(recorded.end(), buf, buf + n);
    for (ssize_t sent = 0; sent < n;) {
      const auto m = ::send(to.fd(), buf + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
      if (m <= 0) {  // the receiver is gone; what it missed no longer matters
        open = false;
        return;
      }
      sent += m;
    }
  }
};

// Forwards until both endpoints have closed, or until nothing moved for `idle_ms` (both stuck:
// closing their pump ends then lets their own timeouts end them).
void pump(const Socket& client, const Socket& server, std::vector<std::uint8_t>& c2s,
          std::vector<std::uint8_t>& s2c, int idle_ms) {
  Direction up{client, server, c2s};
  Direction down{server, client, s2c};
  while (up.open || down.open) {
    pollfd p[2] = {{client.fd(), static_cast<short>(up.open ? POLLIN : 0), 0},
                   {server.fd(), static_cast<short>(down.open ? POLLIN : 0), 0}};
    const int rc = ::poll(p, 2, idle_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) break;
    if (p[0].revents != 0) up.move();
    if (p[1].revents != 0) down.move();
  }
  ::shutdown(client.fd(), SHUT_RDWR);
  ::shutdown(server.fd(), SHUT_RDWR);
}

}  // namespace

MemoryHandshake handshake_in_memory(StackAdapter& adapter, const EndpointConfig& client,
                                    const EndpointConfig& server) {
  MemoryHandshake result;
  auto client_link = socket_pair();
  auto server_link = socket_pair();
  set_io_timeout(client_link[0], client.timeout_ms);
  set_io_timeout(server_link[0], server.timeout_ms);

  // Each side configures its own library context on its own thread, as the peer executable
  // does for every request, so no session or ticket carries over from another handshake.
  const auto session = [&adapter](const EndpointConfig& config, Socket end, HandshakeOutcome& out) {
    if (const auto endpoint = configure_endpoint(adapter, config, out))
      out = run_tls_session(*endpoint, config, end.fd());
    // `end` closes here, which the pump forwards as the end of this side's stream.
  };
  std::vector<std::uint8_t> c2s;
  std::vector<std::uint8_t> s2c;
  {
    std::jthread client_thread(session, std::cref(client), std::move(client_link[0]),
                               std::ref(result.client));
    std::jthread server_thread(session, std::cref(server), std::move(server_link[0]),
                               std::ref(result.server));
    pump(client_link[1], server_link[1], c2s, s2c,
         static_cast<int>(std::max(client.timeout_ms, server.timeout_ms)));
  }
  result.wire = observe_handshake(c2s, s2c);
  return result;
}

}  // namespace tlsmatrix
