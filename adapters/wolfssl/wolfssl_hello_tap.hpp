// Watches the plaintext hello messages as they cross the socket, through the connection's own
// I/O callbacks. wolfSSL has no public way to ask whether a HelloRetryRequest happened, whether
// the server accepted the PSK or which key share it picked, and wolfSSL_get_curve_name() on a
// client still names the client's own key share after a psk_ke handshake; the ServerHello
// itself answers all of these exactly, on both sides and in every wolfSSL release.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wolfssl_handles.hpp"

namespace tlsmatrix::wolfssl {

struct HelloObservations {
  int client_hellos = 0;
  bool hello_retry_request = false;  // a ServerHello carried the HelloRetryRequest random
  bool server_hello_seen = false;    // the final ServerHello was parsed
  bool server_hello_has_psk = false;
  std::optional<std::uint16_t> server_hello_key_share;
};

class HelloTap {
 public:
  // Bytes as they crossed the wire; `from_client` says which way.
  void on_bytes(bool from_client, std::span<const std::uint8_t> bytes);
  const HelloObservations& observations() const { return obs_; }

 private:
  struct Direction {
    std::vector<std::uint8_t> records;    // not yet complete records
    std::vector<std::uint8_t> handshake;  // reassembled plaintext handshake messages
  };
  void take_messages(bool from_client, Direction& d);
  void take_server_hello(std::span<const std::uint8_t> body);

  Direction from_client_, from_server_;
  // Once the final ServerHello is in, later handshake records may be encrypted: stop looking.
  bool done_ = false;
  HelloObservations obs_;
};

// The socket and tap that the I/O callbacks use; owned by the session.
struct TappedSocket {
  int fd = -1;
  bool client = true;
  HelloTap tap;
};

// Routes `ssl`'s reads and writes on io->fd through io->tap.
void install_tapped_io(WOLFSSL* ssl, TappedSocket* io);

}  // namespace tlsmatrix::wolfssl
