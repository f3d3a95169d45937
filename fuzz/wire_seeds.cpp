// Writes the wire fuzzer's seed corpus into the folder given: connections made with the wire
// writer, in the fuzzer's input form (wire_input.hpp). A TLS 1.3 hybrid handshake, one with a
// HelloRetryRequest, a PSK offer, a TLS 1.2 hello and a refusal with an alert.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "hello_writer.hpp"
#include "record_writer.hpp"
#include "wire_constants.hpp"
#include "wire_input.hpp"

namespace {

using namespace tlsmatrix::wire;
using Bytes = std::vector<std::uint8_t>;

Bytes handshake(const Bytes& message) {
  return write_records(kHandshake, message);
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

ClientHelloSpec client_hello(std::vector<KeyShareEntry> shares) {
  ClientHelloSpec spec;
  spec.random.fill(0x11);
  spec.legacy_session_id = Bytes(32, 0x22);
  spec.cipher_suites = {0x1301, 0x1302, 0x1303, 0xC02B};
  spec.server_name = "server.test";
  spec.supported_groups = {0x11EC, 29, 23, 24};
  spec.supported_versions = {0x0304, 0x0303};
  spec.psk_key_exchange_modes = {1};
  spec.key_shares = std::move(shares);
  return spec;
}

ServerHelloSpec server_hello(std::uint16_t group, std::size_t share_length) {
  ServerHelloSpec spec;
  spec.random.fill(0x33);
  spec.legacy_session_id_echo = Bytes(32, 0x22);
  spec.cipher_suite = 0x1301;
  spec.supported_version = 0x0304;
  spec.key_share = KeyShareEntry{group, Bytes(share_length, 0x44)};
  return spec;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FOLDER\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const auto save = [&](const char* name, const Bytes& c2s, const Bytes& s2c) {
    const auto bytes = tlsmatrix::fuzz::join_directions(c2s, s2c);
    std::ofstream(dir + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  };
  const Bytes encrypted = write_records(kApplicationData, Bytes(40, 0x55));
  const Bytes ccs = write_records(kChangeCipherSpec, Bytes{1});

  const auto hybrid = client_hello({{0x11EC, Bytes(1216, 0x66)}, {29, Bytes(32, 0x77)}});
  save("tls13-hybrid", handshake(write_client_hello(hybrid)) + ccs + encrypted,
       handshake(write_server_hello(server_hello(0x11EC, 1120))) + ccs + encrypted);

  auto first = client_hello({{29, Bytes(32, 0x77)}});
  auto hrr = server_hello(23, 0);
  hrr.hello_retry_request = true;
  hrr.key_share = KeyShareEntry{23, {}};
  auto second = client_hello({{23, Bytes(65, 0x04)}});
  save("tls13-hello-retry",
       handshake(write_client_hello(first)) + handshake(write_client_hello(second)) + encrypted,
       handshake(write_server_hello(hrr)) + handshake(write_server_hello(server_hello(23, 65))) +
           encrypted);

  auto psk = client_hello({{29, Bytes(32, 0x77)}});
  psk.early_data = true;
  psk.psk_identities = {{Bytes{'t', 'i', 'c', 'k', 'e', 't'}, 1234}};
  psk.psk_binders = {Bytes(32, 0x88)};
  auto accepted = server_hello(29, 32);
  accepted.psk_selected_identity = 0;
  save("tls13-psk", handshake(write_client_hello(psk)) + encrypted,
       handshake(write_server_hello(accepted)) + encrypted);

  auto tls12 = client_hello({});
  tls12.supported_versions.clear();
  tls12.key_shares.reset();
  ServerHelloSpec tls12_server;
  tls12_server.cipher_suite = 0xC02B;
  save("tls12", handshake(write_client_hello(tls12)), handshake(write_server_hello(tls12_server)));

  save("refused-with-alert", handshake(write_client_hello(first)),
       write_records(kAlert, Bytes{2, 40}));
  return 0;
}
