// The wire writer against the wire reader: messages written from plain structs read back as
// the same fields, alone and inside a whole transcript (HelloRetryRequest included).
#include "hello_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "byte_writer.hpp"
#include "client_hello_parser.hpp"
#include "hello_extensions.hpp"
#include "pre_shared_key.hpp"
#include "record_writer.hpp"
#include "server_hello_parser.hpp"
#include "tls_transcript.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kTls12 = 0x0303;
constexpr std::uint16_t kTls13 = 0x0304;
constexpr std::uint16_t kSecp256r1 = 23;
constexpr std::uint16_t kX25519 = 29;
constexpr std::uint16_t kX25519MLKEM768 = 0x11EC;
constexpr std::uint16_t kAes128GcmSha256 = 0x1301;
constexpr std::uint16_t kAes256GcmSha384 = 0x1302;

// The body after the 4-byte handshake header, as the parsers take it.
std::span<const std::uint8_t> body(const Bytes& message) {
  return std::span(message).subspan(kHandshakeHeaderLength);
}

ClientHelloSpec hybrid_client_hello() {
  ClientHelloSpec spec;
  spec.random.fill(0x11);
  spec.legacy_session_id = Bytes(32, 0x22);
  spec.cipher_suites = {kAes128GcmSha256, kAes256GcmSha384};
  spec.server_name = "wire.test";
  spec.supported_groups = {kX25519MLKEM768, kX25519, kSecp256r1};
  spec.supported_versions = {kTls13, kTls12};
  spec.psk_key_exchange_modes = {0, 1};
  // X25519MLKEM768 shares are an ML-KEM-768 encapsulation key (1184 bytes) then an X25519 key.
  spec.key_shares =
      std::vector<KeyShareEntry>{{kX25519MLKEM768, Bytes(1216, 0x33)}, {kX25519, Bytes(32, 0x44)}};
  spec.psk_identities = {{Bytes{'i', 'd', '1'}, 0}, {Bytes{'i', 'd', '2'}, 7}};
  spec.psk_binders = {Bytes(32, 0x55), Bytes(32, 0x66)};
  return spec;
}

TEST(HelloWriter, ClientHelloReadsBackFieldByField) {
  const auto message = write_client_hello(hybrid_client_hello());
  ASSERT_EQ(message[0], kClientHello);
  NoteLog notes("client->server");
  const auto hello = parse_client_hello(body(message), notes);
  EXPECT_TRUE(notes.notes().empty()) << notes.notes().front();
  EXPECT_EQ(hello.message_length, message.size() - kHandshakeHeaderLength);
  EXPECT_EQ(hello.legacy_version, kTls12);
  EXPECT_EQ(hello.supported_versions, (std::vector<std::uint16_t>{kTls13, kTls12}));
  EXPECT_EQ(hello.cipher_suites, (std::vector<std::uint16_t>{kAes128GcmSha256, kAes256GcmSha384}));
  EXPECT_EQ(hello.supported_groups,
            (std::vector<std::uint16_t>{kX25519MLKEM768, kX25519, kSecp256r1}));
  ASSERT_EQ(hello.key_shares.size(), 2u);
  EXPECT_EQ(hello.key_shares[0].group, kX25519MLKEM768);
  EXPECT_EQ(hello.key_shares[0].key_exchange_length, 1216u);
  EXPECT_EQ(hello.key_shares[1].group, kX25519);
  EXPECT_EQ(hello.key_shares[1].key_exchange_length, 32u);
  EXPECT_EQ(hello.psk_key_exchange_modes, (std::vector<std::uint8_t>{0, 1}));
  EXPECT_TRUE(hello.pre_shared_key);
  EXPECT_EQ(hello.psk_identities, (std::vector<std::string>{"id1", "id2"}));
  EXPECT_FALSE(hello.early_data);
  EXPECT_EQ(hello.server_name, "wire.test");
  // pre_shared_key last, as RFC 8446 §4.2.11 requires.
  ASSERT_FALSE(hello.extensions.empty());
  EXPECT_EQ(hello.extensions.back(), kExtPreSharedKey);
}

TEST(HelloWriter, EmptyKeyShareListIsStillAnExtension) {
  ClientHelloSpec spec;
  spec.cipher_suites = {kAes128GcmSha256};
  spec.supported_groups = {kX25519};
  spec.supported_versions = {kTls13};
  spec.key_shares = std::vector<KeyShareEntry>{};  // RFC 8446 §4.2.8: asks for an HRR
  NoteLog notes("client->server");
  const auto hello = parse_client_hello(body(write_client_hello(spec)), notes);
  EXPECT_TRUE(notes.notes().empty());
  EXPECT_TRUE(hello.key_shares.empty());
  EXPECT_EQ(hello.extensions,
            (std::vector<std::uint16_t>{kExtSupportedGroups, kExtSupportedVersions, kExtKeyShare}));
}

TEST(HelloWriter, HelloRetryRequestNamesOnlyTheSelectedGroup) {
  ServerHelloSpec spec;
  spec.hello_retry_request = true;
  spec.cipher_suite = kAes128GcmSha256;
  spec.supported_version = kTls13;
  spec.key_share = KeyShareEntry{kSecp256r1, {}};
  const auto message = write_server_hello(spec);
  ASSERT_EQ(message[0], kServerHello);
  NoteLog notes("server->client");
  const auto hrr = parse_server_hello(body(message), notes);
  EXPECT_TRUE(notes.notes().empty());
  EXPECT_TRUE(hrr.hello_retry_request);
  EXPECT_EQ(hrr.version, kTls13);
  EXPECT_EQ(hrr.cipher_suite, kAes128GcmSha256);
  EXPECT_EQ(hrr.key_share_group, kSecp256r1);
  EXPECT_FALSE(hrr.key_share_length.has_value());
}

TEST(HelloWriter, ServerHelloWithShareAndPsk) {
  ServerHelloSpec spec;
  spec.random.fill(0x77);
  spec.legacy_session_id_echo = Bytes(32, 0x22);
  spec.cipher_suite = kAes256GcmSha384;
  spec.supported_version = kTls13;
  spec.key_share = KeyShareEntry{kX25519MLKEM768, Bytes(1120, 0x88)};
  spec.psk_selected_identity = 1;
  NoteLog notes("server->client");
  const auto hello = parse_server_hello(body(write_server_hello(spec)), notes);
  EXPECT_TRUE(notes.notes().empty());
  EXPECT_FALSE(hello.hello_retry_request);
  EXPECT_EQ(hello.legacy_version, kTls12);
  EXPECT_EQ(hello.supported_version, kTls13);
  EXPECT_EQ(hello.cipher_suite, kAes256GcmSha384);
  EXPECT_EQ(hello.key_share_group, kX25519MLKEM768);
  EXPECT_EQ(hello.key_share_length, 1120u);
  EXPECT_EQ(hello.psk_selected_identity, 1u);
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(HelloWriter, TranscriptWithHelloRetryRequestReadsBack) {
  auto first = hybrid_client_hello();
  first.psk_identities.clear();
  first.psk_binders.clear();
  first.key_shares = std::vector<KeyShareEntry>{{kX25519, Bytes(32, 0x44)}};
  auto second = first;
  second.key_shares = std::vector<KeyShareEntry>{{kX25519MLKEM768, Bytes(1216, 0x33)}};

  ServerHelloSpec hrr;
  hrr.hello_retry_request = true;
  hrr.cipher_suite = kAes128GcmSha256;
  hrr.supported_version = kTls13;
  hrr.key_share = KeyShareEntry{kX25519MLKEM768, {}};
  ServerHelloSpec server_hello = hrr;
  server_hello.hello_retry_request = false;
  server_hello.key_share = KeyShareEntry{kX25519MLKEM768, Bytes(1120, 0x88)};

  const auto client_to_server = concat({write_records(kHandshake, write_client_hello(first)),
                                        write_records(kHandshake, write_client_hello(second))});
  const auto server_to_client =
      concat({write_records(kHandshake, write_server_hello(hrr)),
              write_records(kHandshake, write_server_hello(server_hello))});
  const auto wire = observe_handshake(client_to_server, server_to_client);
  EXPECT_TRUE(wire.notes.empty()) << wire.notes.front();
  ASSERT_EQ(wire.client_hellos.size(), 2u);
  ASSERT_EQ(wire.client_hellos[1].key_shares.size(), 1u);
  EXPECT_EQ(wire.client_hellos[1].key_shares[0].group, kX25519MLKEM768);
  ASSERT_EQ(wire.server_hellos.size(), 2u);
  EXPECT_TRUE(wire.server_hellos[0].hello_retry_request);
  EXPECT_TRUE(wire.hello_retry_request);
  EXPECT_EQ(wire.version, kTls13);
  EXPECT_EQ(wire.cipher_suite, kAes128GcmSha256);
  EXPECT_EQ(wire.group, kX25519MLKEM768);
  EXPECT_FALSE(wire.psk_accepted);
}

TEST(PreSharedKey, ReadsTheOfferedIdentities) {
  ByteWriter ext;
  ext.vector(2, [](ByteWriter& ids) {
    for (const Bytes& id : {Bytes{'a'}, Bytes{'b', 'c'}}) {
      ids.vector(2, [&](ByteWriter& v) { v.bytes(id); });
      ids.u32(0);
    }
  });
  ext.vector(2, [](ByteWriter& binders) {
    binders.vector(1, [](ByteWriter& v) { v.bytes(Bytes(32, 0)); });
  });
  const auto offered = read_offered_psks(ext.data());
  EXPECT_TRUE(offered.well_formed);
  ASSERT_EQ(offered.identities.size(), 2u);
  EXPECT_EQ(Bytes(offered.identities[1].begin(), offered.identities[1].end()), (Bytes{'b', 'c'}));

  // Without binders the identities still read, but the extension is malformed.
  const Bytes truncated(ext.data().begin(), ext.data().end() - 35);
  const auto partial = read_offered_psks(truncated);
  EXPECT_FALSE(partial.well_formed);
  EXPECT_EQ(partial.identities.size(), 2u);
}

TEST(RecordWriter, SplitsAtTheLargestPlaintextFragment) {
  const Bytes payload(kMaxPlaintextLength + 10, 0xAB);
  const auto records = write_records(kApplicationData, payload);
  ASSERT_EQ(records.size(), payload.size() + 2 * kRecordHeaderLength);
  EXPECT_EQ(records[0], kApplicationData);
  EXPECT_EQ((records[3] << 8 | records[4]), static_cast<int>(kMaxPlaintextLength));
  const auto second = kRecordHeaderLength + kMaxPlaintextLength;
  EXPECT_EQ(records[second], kApplicationData);
  EXPECT_EQ((records[second + 3] << 8 | records[second + 4]), 10);
}

}  // namespace
}  // namespace tlsmatrix::wire
