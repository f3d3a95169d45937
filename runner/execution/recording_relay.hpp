// A loopback TCP relay between the client peer and the server peer that keeps a copy of the
// bytes in each direction of each connection, so verdicts can rest on the wire and not only on
// what each library says about itself. Peers cannot tell it is there.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <vector>

namespace tlsmatrix {

// Bytes kept per direction of a connection: enough for any handshake and the application-data
// check. Beyond it bytes are relayed but not kept, so a misbehaving peer cannot exhaust memory
// or swell the results; a direction holding exactly this many bytes was capped
// (`record_capped`).
inline constexpr std::size_t kMaxRecordedBytes = 4 << 20;
inline bool record_capped(const std::vector<std::uint8_t>& recorded) {
  return recorded.size() >= kMaxRecordedBytes;
}

// One read the relay passed on, in the order the reads happened across both directions (a
// capture replays them in that order, so a dissector sees each flight after the one it answers).
struct RelayedSegment {
  bool from_client = true;
  std::size_t length = 0;  // the bytes kept of this read, taken in turn from its direction
};

// What the relay kept of one connection.
struct RelayedBytes {
  std::vector<std::uint8_t> client_to_server;
  std::vector<std::uint8_t> server_to_client;
  std::vector<RelayedSegment> segments;
};

class RecordingRelay {
 public:
  // Listens on 127.0.0.1 at a kernel-chosen port.
  explicit RecordingRelay(boost::asio::io_context& io);
  ~RecordingRelay();
  std::uint16_t port() const;
  // Accepts up to `connections` clients, each connected to the server at `server_port` as it
  // arrives (a client makes its connections one after the other: peers/PROTOCOL.md).
  void start(std::uint16_t server_port, int connections);
  void close();

  // Per accepted connection, in the order they arrived.
  std::vector<RelayedBytes> recorded() const;
  std::size_t accepted() const { return connections_.size(); }

 private:
  struct Connection;
  void accept_next();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t server_port_ = 0;
  int wanted_ = 0;
  std::unique_ptr<Connection> pending_;  // the socket the next accept fills
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace tlsmatrix
