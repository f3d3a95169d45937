// A loopback TCP relay between the client peer and the server peer that keeps a copy of the
// bytes in each direction of each connection, so verdicts can rest on the wire and not only on
// what each library says about itself. Peers cannot tell it is there, unless a scenario makes
// it an attacker (handshake_interceptor.hpp).
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "handshake_interceptor.hpp"

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
  std::size_t length = 0;      // the bytes kept of this read, taken in turn from its direction
  std::uint64_t sequence = 0;  // orders reads and an attacker's writes of one connection
};

// What the relay kept of one connection.
struct RelayedBytes {
  // Why the relay could not reach the server for this connection; empty when it did.
  std::string connect_error;
  // What each peer sent, and the reads in order.
  std::vector<std::uint8_t> client_to_server;
  std::vector<std::uint8_t> server_to_client;
  std::vector<RelayedSegment> segments;
  // With an attacker in the relay (a scenario's `relay:` block): what each peer received and
  // the writes in order (`from_client` = written to the server), and what each mutation did.
  // Without one each peer received what the other sent, and these stay empty.
  bool attacked = false;
  std::vector<std::uint8_t> server_received;
  std::vector<std::uint8_t> client_received;
  std::vector<RelayedSegment> received_segments;
  std::vector<MutationRecord> attack;
};

class RecordingRelay {
 public:
  // Listens on 127.0.0.1 at a kernel-chosen port.
  explicit RecordingRelay(boost::asio::io_context& io);
  ~RecordingRelay();
  std::uint16_t port() const;
  // Accepts up to `connections` clients, each connected to `server` as it arrives (a client
  // makes its connections one after the other: peers/PROTOCOL.md). With mutations (which must
  // outlive the relay) it attacks each connection with them.
  void start(const boost::asio::ip::tcp::endpoint& server, int connections,
             const std::vector<Mutation>* attack = nullptr);
  void close();

  // Per accepted connection, in the order they arrived.
  std::vector<RelayedBytes> recorded() const;
  std::size_t accepted() const { return connections_.size(); }

 private:
  struct Connection;
  void accept_next();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint server_;
  int wanted_ = 0;
  const std::vector<Mutation>* attack_ = nullptr;
  std::unique_ptr<Connection> pending_;  // the socket the next accept fills
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace tlsmatrix
