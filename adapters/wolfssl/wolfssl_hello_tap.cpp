#include "wolfssl_hello_tap.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>

namespace tlsmatrix::wolfssl {
namespace {

constexpr std::uint8_t kHandshakeRecord = 22;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::size_t kExtPreSharedKey = 41;
constexpr std::size_t kExtKeyShare = 51;

// RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest.
constexpr std::array<std::uint8_t, 32> kHrrRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

std::size_t be(std::span<const std::uint8_t> b) {
  std::size_t v = 0;
  for (const auto byte : b) v = v << 8 | byte;
  return v;
}

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  bool take(std::size_t n, std::span<const std::uint8_t>& out) {
    if (data_.size() - pos_ < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool number(std::size_t bytes, std::size_t& out) {
    std::span<const std::uint8_t> b;
    if (!take(bytes, b)) return false;
    out = be(b);
    return true;
  }
  bool empty() const { return pos_ == data_.size(); }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

int tapped_recv(WOLFSSL* /*ssl*/, char* buf, int size, void* ctx) {
  auto& io = *static_cast<TappedSocket*>(ctx);
  ssize_t n;
  do n = ::recv(io.fd, buf, static_cast<std::size_t>(size), 0);
  while (n < 0 && errno == EINTR);
  if (n > 0) {
    io.tap.on_bytes(!io.client,
                    {reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(n)});
    return static_cast<int>(n);
  }
  if (n == 0) return WOLFSSL_CBIO_ERR_CONN_CLOSE;
  // The socket blocks with SO_RCVTIMEO, so "would block" means the step timed out.
  if (errno == EAGAIN || errno == EWOULDBLOCK) return WOLFSSL_CBIO_ERR_WANT_READ;
  if (errno == ECONNRESET) return WOLFSSL_CBIO_ERR_CONN_RST;
  return WOLFSSL_CBIO_ERR_GENERAL;
}

int tapped_send(WOLFSSL* /*ssl*/, char* buf, int size, void* ctx) {
  auto& io = *static_cast<TappedSocket*>(ctx);
  ssize_t n;
  do n = ::send(io.fd, buf, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n >= 0) {
    io.tap.on_bytes(io.client,
                    {reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(n)});
    return static_cast<int>(n);
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) return WOLFSSL_CBIO_ERR_WANT_WRITE;
  if (errno == ECONNRESET) return WOLFSSL_CBIO_ERR_CONN_RST;
  if (errno == EPIPE) return WOLFSSL_CBIO_ERR_CONN_CLOSE;
  return WOLFSSL_CBIO_ERR_GENERAL;
}

}  // namespace

void HelloTap::on_bytes(bool from_client, std::span<const std::uint8_t> bytes) {
  if (done_) return;
  Direction& d = from_client ? from_client_ : from_server_;
  d.records.insert(d.records.end(), bytes.begin(), bytes.end());
  std::size_t pos = 0;
  while (!done_ && d.records.size() - pos >= 5) {
    const std::size_t length = be({d.records.data() + pos + 3, 2});
    if (d.records.size() - pos - 5 < length) break;
    if (d.records[pos] == kHandshakeRecord) {
      const auto* payload = d.records.data() + pos + 5;
      d.handshake.insert(d.handshake.end(), payload, payload + length);
      take_messages(from_client, d);
    }
    pos += 5 + length;
  }
  d.records.erase(d.records.begin(), d.records.begin() + static_cast<std::ptrdiff_t>(pos));
}

void HelloTap::take_messages(bool from_client, Direction& d) {
  std::size_t pos = 0;
  while (!done_ && d.handshake.size() - pos >= 4) {
    const std::size_t length = be({d.handshake.data() + pos + 1, 3});
    if (d.handshake.size() - pos - 4 < length) break;
    const std::uint8_t type = d.handshake[pos];
    const std::span<const std::uint8_t> body(d.handshake.data() + pos + 4, length);
    if (from_client && type == kClientHello) ++obs_.client_hellos;
    if (!from_client && type == kServerHello) take_server_hello(body);
    pos += 4 + length;
  }
  d.handshake.erase(d.handshake.begin(), d.handshake.begin() + static_cast<std::ptrdiff_t>(pos));
}

void HelloTap::take_server_hello(std::span<const std::uint8_t> body) {
  Reader r(body);
  std::span<const std::uint8_t> skip, random, extensions;
  std::size_t session_id_length = 0, extensions_length = 0;
  if (!r.take(2, skip) || !r.take(32, random)) return;
  if (std::equal(random.begin(), random.end(), kHrrRandom.begin())) {
    obs_.hello_retry_request = true;
    return;
  }
  done_ = true;
  obs_.server_hello_seen = true;
  if (!r.number(1, session_id_length) || !r.take(session_id_length, skip) || !r.take(3, skip) ||
      !r.number(2, extensions_length) || !r.take(extensions_length, extensions))
    return;  // a TLS 1.2 ServerHello may end before the extensions
  Reader ext(extensions);
  while (!ext.empty()) {
    std::size_t type = 0, length = 0;
    std::span<const std::uint8_t> data;
    if (!ext.number(2, type) || !ext.number(2, length) || !ext.take(length, data)) return;
    if (type == kExtPreSharedKey) obs_.server_hello_has_psk = true;
    if (type == kExtKeyShare && data.size() >= 2)
      obs_.server_hello_key_share = static_cast<std::uint16_t>(be(data.first(2)));
  }
}

void install_tapped_io(WOLFSSL* ssl, TappedSocket* io) {
  wolfSSL_SSLSetIORecv(ssl, tapped_recv);
  wolfSSL_SSLSetIOSend(ssl, tapped_send);
  wolfSSL_SetIOReadCtx(ssl, io);
  wolfSSL_SetIOWriteCtx(ssl, io);
}

}  // namespace tlsmatrix::wolfssl
