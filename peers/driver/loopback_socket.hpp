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
Socket accept_within(const Socket& listener, std::uint32_t timeout_ms);
Socket connect_loopback(const std::string& host, std::uint16_t port, std::uint32_t timeout_ms);
// Blocking reads and writes on `s` fail after timeout_ms instead of hanging.
void set_io_timeout(const Socket& s, std::uint32_t timeout_ms);

}  // namespace tlsmatrix
