#include "recording_relay.hpp"

#include <algorithm>
#include <boost/asio/write.hpp>
#include <deque>
#include <functional>
#include <optional>

namespace tlsmatrix {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {}  // namespace

// One relayed connection: the client's socket, the one to the server, and what passed. Each
// read goes through the attacker, if any, into the outbox of the peer it is for; a direction
// reads on once its outbox has written everything, so a slow peer slows its sender.
struct RecordingRelay::Connection {
  struct Direction {
    std::vector<std::uint8_t> bytes;  // as the sender sent them
    std::array<std::uint8_t, 16384> buffer{};
    bool done = false;
  };

  // Writes to one peer, in order, one TCP write per entry.
  struct Outbox {
    explicit Outbox(tcp::socket& s) : socket(s) {}
    tcp::socket& socket;
    std::deque<std::vector<std::uint8_t>> queue;
    bool writing = false;
    bool failed = false;
    bool shutdown_when_empty = false;
    std::function<void()> on_empty;  // the direction that fills it reads on
  };

  Connection(asio::io_context& io, const std::vector<Mutation>* attack)
      : client(io), server(io), to_server(server), to_client(client) {
    if (attack && !attack->empty()) interceptor.emplace(*attack);
  }

  void connect(const tcp::endpoint& to) {
    server.async_connect(to, [this](const boost::system::error_code& ec) {
      if (ec) {
        connect_error = ec.message();
        return finish(c2s), finish(s2c);
      }
      const tcp::no_delay nodelay(true);
      boost::system::error_code ignored;
      client.set_option(nodelay, ignored);
      server.set_option(nodelay, ignored);
      pump(c2s);
      pump(s2c);
    });
  }

  bool from_client(const Direction& dir) const { return &dir == &c2s; }

  void keep(std::vector<std::uint8_t>& recorded, std::span<const std::uint8_t> bytes,
            std::vector<RelayedSegment>& into, bool from_client_side) {
    const auto kept = std::min(bytes.size(), kMaxRecordedBytes - recorded.size());
    recorded.insert(recorded.end(), bytes.begin(),
                    bytes.begin() + static_cast<std::ptrdiff_t>(kept));
    if (kept > 0) into.push_back({from_client_side, kept, next_sequence++});
  }
  tcp::socket& source(const Direction& dir) { return from_client(dir) ? client : server; }
  Outbox& outbox_for(const Direction& dir) { return from_client(dir) ? to_server : to_client; }

  void pump(Direction& dir) {
    source(dir).async_read_some(asio::buffer(dir.buffer),
                                [this, &dir](const boost::system::error_code& ec, std::size_t n) {
                                  if (ec) return finish(dir);
                                  const std::span<const std::uint8_t> read(dir.buffer.data(), n);
                                  keep(dir.bytes, read, segments, from_client(dir));
                                  if (interceptor) {
                                    send(interceptor->on_read(from_client(dir), read));
                                  } else {
                                    post(outbox_for(dir), read);
                                  }
                                  auto& box = outbox_for(dir);
                                  box.on_empty = [this, &dir, &box] {
                                    if (box.failed) return finish(dir);
                                    pump(dir);
                                  };
                                  kick(box);
                                });
  }

  void send(const std::vector<RelayWrite>& writes) {
    for (const auto& w : writes) post(w.to_server ? to_server : to_client, w.bytes);
    kick(to_server);
    kick(to_client);
  }

  void post(Outbox& box, std::span<const std::uint8_t> bytes) {
    if (box.failed || bytes.empty()) return;
    box.queue.emplace_back(bytes.begin(), bytes.end());
  }

  void kick(Outbox& box) {
    if (box.writing) return;
    if (box.queue.empty() || box.failed) {
      box.queue.clear();
      if (box.shutdown_when_empty) {
        boost::system::error_code ignored;
        if (box.socket.is_open()) box.socket.shutdown(tcp::socket::shutdown_send, ignored);
        box.shutdown_when_empty = false;
      }
      if (auto next = std::exchange(box.on_empty, nullptr)) next();
      if (c2s.done && s2c.done && !to_server.writing && !to_client.writing) close();
      return;
    }
    box.writing = true;
    const auto& bytes = box.queue.front();
    const bool to_server_side = &box == &to_server;
    if (interceptor)
      keep(to_server_side ? server_received : client_received, bytes, received_segments,
           to_server_side);
    asio::async_write(box.socket, asio::buffer(bytes),
                      [this, &box](const boost::system::error_code& ec, std::size_t) {
                        box.writing = false;
                        if (ec) box.failed = true;
                        if (!box.queue.empty()) box.queue.pop_front();
                        kick(box);
                      });
  }

  // The end of one direction: what the attacker held back goes on, then the end itself (a FIN
  // stays a FIN); both sockets close once both directions ended and were written out.
  void finish(Direction& dir) {
    if (dir.done) return;
    dir.done = true;
    if (interceptor) send(interceptor->on_end(from_client(dir)));
    auto& box = outbox_for(dir);
    box.on_empty = nullptr;
    box.shutdown_when_empty = true;
    kick(box);
  }

  void close() {
    boost::system::error_code ignored;
    client.close(ignored);
    server.close(ignored);
  }

  RelayedBytes recorded() const {
    RelayedBytes out;
    out.connect_error = connect_error;
    out.client_to_server = c2s.bytes;
    out.server_to_client = s2c.bytes;
    out.segments = segments;
    if (!interceptor) return out;
    out.attacked = true;
    out.server_received = server_received;
    out.client_received = client_received;
    out.received_segments = received_segments;
    out.attack = interceptor->records();
    return out;
  }

  tcp::socket client, server;
  Outbox to_server, to_client;
  Direction c2s, s2c;
  std::vector<RelayedSegment> segments;
  std::string connect_error;  // the server could not be reached
  std::optional<HandshakeInterceptor> interceptor;
  std::vector<std::uint8_t> server_received, client_received;
  std::vector<RelayedSegment> received_segments;
  std::uint64_t next_sequence = 0;
};

RecordingRelay::RecordingRelay(asio::io_context& io)
    : io_(io), acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {}

RecordingRelay::~RecordingRelay() = default;

std::uint16_t RecordingRelay::port() const {
  return acceptor_.local_endpoint().port();
}

void RecordingRelay::start(const tcp::endpoint& server, int connections,
                           const std::vector<Mutation>* attack) {
  server_ = server;
  wanted_ = connections;
  attack_ = attack;
  accept_next();
}

void RecordingRelay::accept_next() {
  if (static_cast<int>(connections_.size()) >= wanted_ || !acceptor_.is_open()) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return;
  }
  pending_ = std::make_unique<Connection>(io_, attack_);
  acceptor_.async_accept(pending_->client, [this](const boost::system::error_code& ec) {
    if (ec) return;  // closed: no further connection to record
    connections_.push_back(std::move(pending_));
    connections_.back()->connect(server_);
    accept_next();
  });
}

std::vector<RelayedBytes> RecordingRelay::recorded() const {
  std::vector<RelayedBytes> out;
  for (const auto& c : connections_) out.push_back(c->recorded());
  return out;
}

void RecordingRelay::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& c : connections_) c->close();
}

}  // namespace tlsmatrix
