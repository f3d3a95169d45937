// A loopback TCP relay between the client peer and the server peer that keeps a copy of the
// bytes in each direction, so verdicts can rest on the wire and not only on what each library
// says about itself. Peers cannot tell it is there.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <vector>

namespace tlsmatrix {

// Bytes kept per direction: enough for any handshake and the application-data check. Beyond
// it bytes are relayed but not kept, so a misbehaving peer cannot exhaust memory or swell the
// results; a direction holding exactly this many bytes was capped (`record_capped`).
inline constexpr std::size_t kMaxRecordedBytes = 4 << 20;
inline bool record_capped(const std::vector<std::uint8_t>& recorded) {
  return recorded.size() >= kMaxRecordedBytes;
}

class RecordingRelay {
 public:
  // Listens on 127.0.0.1 at a kernel-chosen port.
  explicit RecordingRelay(boost::asio::io_context& io);
  std::uint16_t port() const;
  // Accepts one client and connects it to the server at `server_port`; `on_closed` runs once
  // both directions have ended (or the relay was closed).
  void start(std::uint16_t server_port, std::function<void()> on_closed);
  void close();

  const std::vector<std::uint8_t>& client_to_server() const { return c2s_.bytes; }
  const std::vector<std::uint8_t>& server_to_client() const { return s2c_.bytes; }
  bool accepted() const { return accepted_; }

 private:
  struct Direction {
    std::vector<std::uint8_t> bytes;
    std::array<std::uint8_t, 16384> buffer{};
    bool done = false;
  };
  void pump(boost::asio::ip::tcp::socket& from, boost::asio::ip::tcp::socket& to, Direction& dir);
  void finish(Direction& dir, boost::asio::ip::tcp::socket& to);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::socket client_, server_;
  Direction c2s_, s2c_;
  std::function<void()> on_closed_;
  bool accepted_ = false;
  bool closed_reported_ = false;
};

}  // namespace tlsmatrix
