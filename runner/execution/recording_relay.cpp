#include "recording_relay.hpp"

#include <algorithm>
#include <boost/asio/write.hpp>

namespace tlsmatrix {

namespace asio = boost::asio;
using asio::ip::tcp;

// One relayed connection: the client's socket, the one to the server, and what passed.
struct RecordingRelay::Connection {
  struct Direction {
    std::vector<std::uint8_t> bytes;
    std::array<std::uint8_t, 16384> buffer{};
    bool done = false;
  };

  explicit Connection(asio::io_context& io) : client(io), server(io) {}

  void connect(std::uint16_t server_port) {
    server.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), server_port),
                         [this](const boost::system::error_code& ec) {
                           if (ec) return finish(c2s, server), finish(s2c, client);
                           const tcp::no_delay nodelay(true);
                           boost::system::error_code ignored;
                           client.set_option(nodelay, ignored);
                           server.set_option(nodelay, ignored);
                           pump(client, server, c2s);
                           pump(server, client, s2c);
                         });
  }

  void pump(tcp::socket& from, tcp::socket& to, Direction& dir) {
    from.async_read_some(
        asio::buffer(dir.buffer),
        [this, &from, &to, &dir](const boost::system::error_code& ec, std::size_t n) {
          if (ec) return finish(dir, to);
          const auto kept = std::min(n, kMaxRecordedBytes - dir.bytes.size());
          dir.bytes.insert(dir.bytes.end(), dir.buffer.begin(),
                           dir.buffer.begin() + static_cast<std::ptrdiff_t>(kept));
          if (kept > 0) segments.push_back({&dir == &c2s, kept});
          asio::async_write(
              to, asio::buffer(dir.buffer, n),
              [this, &from, &to, &dir](const boost::system::error_code& wec, std::size_t) {
                if (wec) return finish(dir, to);
                pump(from, to, dir);
              });
        });
  }

  // Passes the end of one direction on (a FIN stays a FIN); closes both once both ended.
  void finish(Direction& dir, tcp::socket& to) {
    if (dir.done) return;
    dir.done = true;
    boost::system::error_code ignored;
    if (to.is_open()) to.shutdown(tcp::socket::shutdown_send, ignored);
    if (c2s.done && s2c.done) close();
  }

  void close() {
    boost::system::error_code ignored;
    client.close(ignored);
    server.close(ignored);
  }

  tcp::socket client, server;
  Direction c2s, s2c;
  std::vector<RelayedSegment> segments;
};

RecordingRelay::RecordingRelay(asio::io_context& io)
    : io_(io), acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {}

RecordingRelay::~RecordingRelay() = default;

std::uint16_t RecordingRelay::port() const {
  return acceptor_.local_endpoint().port();
}

void RecordingRelay::start(std::uint16_t server_port, int connections) {
  server_port_ = server_port;
  wanted_ = connections;
  accept_next();
}

void RecordingRelay::accept_next() {
  if (static_cast<int>(connections_.size()) >= wanted_ || !acceptor_.is_open()) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return;
  }
  pending_ = std::make_unique<Connection>(io_);
  acceptor_.async_accept(pending_->client, [this](const boost::system::error_code& ec) {
    if (ec) return;  // closed: no further connection to record
    connections_.push_back(std::move(pending_));
    connections_.back()->connect(server_port_);
    accept_next();
  });
}

std::vector<RelayedBytes> RecordingRelay::recorded() const {
  std::vector<RelayedBytes> out;
  for (const auto& c : connections_) out.push_back({c->c2s.bytes, c->s2c.bytes, c->segments});
  return out;
}

void RecordingRelay::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& c : connections_) c->close();
}

}  // namespace tlsmatrix
