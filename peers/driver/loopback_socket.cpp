#include "loopback_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace tlsmatrix {
namespace {

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(fmt::format("{}: {}", what, std::strerror(errno)));
}

bool wait_for(int fd, short events, std::uint32_t timeout_ms) {
  pollfd p{fd, events, 0};
  int rc;
  do rc = ::poll(&p, 1, static_cast<int>(timeout_ms));
  while (rc < 0 && errno == EINTR);
  if (rc < 0) fail("poll");
  return rc > 0;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

int Socket::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

Socket listen_loopback(std::uint16_t& port_out) {
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.fd() < 0) fail("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel picks a free port, so parallel cells never collide
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind 127.0.0.1");
  if (::listen(s.fd(), 1) != 0) fail("listen");
  socklen_t len = sizeof addr;
  if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) fail("getsockname");
  port_out = ntohs(addr.sin_port);
  return s;
}

Socket accept_within(const Socket& listener, std::uint32_t timeout_ms,
                     WaitInterruption* interruption) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    const int watched = interruption ? interruption->fd() : -1;
    pollfd p[2] = {{listener.fd(), POLLIN, 0}, {watched, POLLIN, 0}};
    const int rc =
        ::poll(p, watched >= 0 ? 2 : 1, static_cast<int>(std::max<long>(0, left.count())));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) fail("poll");
    if (rc == 0) throw ConnectTimeout(fmt::format("no client connected within {} ms", timeout_ms));
    if (p[0].revents != 0) break;
    if (p[1].revents != 0 && interruption->cancelled())
      throw RequestCancelled("cancelled by the runner while waiting for the client");
  }
  Socket s(::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC));
  if (s.fd() < 0) fail("accept");
  return s;
}

Socket connect_loopback(const std::string& host, std::uint16_t port, std::uint32_t timeout_ms) {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = AF_INET;
  if (host == "::1") {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&storage);
    family = AF_INET6;
    a6->sin6_family = AF_INET6;
    a6->sin6_addr = in6addr_loopback;
    a6->sin6_port = htons(port);
    len = sizeof *a6;
  } else if (host == "127.0.0.1") {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&storage);
    a4->sin_family = AF_INET;
    a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a4->sin_port = htons(port);
    len = sizeof *a4;
  } else {
    throw std::runtime_error(fmt::format("refusing to connect to '{}': only loopback", host));
  }
  Socket s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (s.fd() < 0) fail("socket");
  if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&storage), len) != 0) {
    if (errno != EINPROGRESS) fail("connect");
    if (!wait_for(s.fd(), POLLOUT, timeout_ms))
      throw ConnectTimeout(fmt::format("connect to {}:{} timed out", host, port));
    int err = 0;
    socklen_t err_len = sizeof err;
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err != 0) {
      errno = err;
      fail("connect");
    }
  }
  // Adapters expect a plain blocking socket.
  ::fcntl(s.fd(), F_SETFL, ::fcntl(s.fd(), F_GETFL) & ~O_NONBLOCK);
  return s;
}

void set_io_timeout(const Socket& s, std::uint32_t timeout_ms) {
  timeval tv{static_cast<time_t>(timeout_ms / 1000),
             static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
  ::setsockopt(s.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace tlsmatrix
