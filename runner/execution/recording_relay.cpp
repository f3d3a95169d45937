#include "recording_relay.hpp"

#include <algorithm>
#include <boost/asio/write.hpp>

namespace tlsmatrix {

namespace asio = boost::asio;
using asio::ip::tcp;

RecordingRelay::RecordingRelay(asio::io_context& io)
    : io_(io),
      acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
      client_(io),
      server_(io) {}

std::uint16_t RecordingRelay::port() const {
  return acceptor_.local_endpoint().port();
}

void RecordingRelay::start(std::uint16_t server_port, std::function<void()> on_closed) {
  on_closed_ = std::move(on_closed);
  acceptor_.async_accept(client_, [this, server_port](const boost::system::error_code& ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (ec) return finish(c2s_, server_), finish(s2c_, client_);
    accepted_ = true;
    server_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), server_port),
                          [this](const boost::system::error_code& cec) {
                            if (cec) return finish(c2s_, server_), finish(s2c_, client_);
                            const asio::ip::tcp::no_delay nodelay(true);
                            boost::system::error_code ignore;
                            client_.set_option(nodelay, ignore);
                            server_.set_option(nodelay, ignore);
                            pump(client_, server_, c2s_);
                            pump(server_, client_, s2c_);
                          });
  });
}

void RecordingRelay::pump(tcp::socket& from, tcp::socket& to, Direction& dir) {
  from.async_read_some(asio::buffer(dir.buffer), [this, &from, &to, &dir](
                                                     const boost::system::error_code& ec,
                                                     std::size_t n) {
    if (ec) return finish(dir, to);
    const auto kept = std::min(n, kMaxRecordedBytes - dir.bytes.size());
    dir.bytes.insert(dir.bytes.end(), dir.buffer.begin(),
                     dir.buffer.begin() + static_cast<std::ptrdiff_t>(kept));
    asio::async_write(to, asio::buffer(dir.buffer, n),
                      [this, &from, &to, &dir](const boost::system::error_code& wec, std::size_t) {
                        if (wec) return finish(dir, to);
                        pump(from, to, dir);
                      });
  });
}

// Passes the end of one direction on (a FIN stays a FIN), and reports once both have ended.
void RecordingRelay::finish(Direction& dir, tcp::socket& to) {
  if (dir.done) return;
  dir.done = true;
  boost::system::error_code ignored;
  if (to.is_open()) to.shutdown(tcp::socket::shutdown_send, ignored);
  if (c2s_.done && s2c_.done && !closed_reported_) {
    closed_reported_ = true;
    client_.close(ignored);
    server_.close(ignored);
    if (on_closed_) on_closed_();
  }
}

void RecordingRelay::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  client_.close(ignored);
  server_.close(ignored);
}

}  // namespace tlsmatrix
