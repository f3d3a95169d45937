// The only networking a peer does: one TCP connection on the loopback interface.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace tlsmatrix {

// Nobody connected, or the connection was not accepted, within timeout_ms: a stall, which the
// peer reports as `timed_out` (peers/PROTOCOL.md, "Stalls").
class ConnectTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The runner cancelled the request while the peer waited (peers/PROTOCOL.md, "Cancel").
class RequestCancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Something besides the socket that may end a wait early: the wait also watches fd() (none
// while it is negative) and, each time it is readable, asks cancelled().
class WaitInterruption {
 public:
  virtual ~WaitInterruption() = default;
  virtual int fd() const = 0;
  virtual bool cancelled() = 0;
};

// A socket descriptor closed on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();
  int fd() const { return fd_; }
  int release();

 private:
  int fd_ = -1;
};

// Throws std::runtime_error with errno text on failure.
Socket listen_loopback(std::uint16_t& port_out);
// Throws ConnectTimeout when nobody connected within timeout_ms, RequestCancelled when
// `interruption` (if any) said so first.
Socket accept_within(const Socket& listener, std::uint32_t timeout_ms,
                     WaitInterruption* interruption = nullptr);
Socket connect_loopback(const std::string& host, std::uint16_t port, std::uint32_t timeout_ms);
// Blocking reads and writes on `s` fail after timeout_ms instead of hanging.
void set_io_timeout(const Socket& s, std::uint32_t timeout_ms);

}  // namespace tlsmatrix
