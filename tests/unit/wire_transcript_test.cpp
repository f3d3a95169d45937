// Tests for the wire observer: real openssl s_server/s_client transcripts, then synthetic
// streams that are broken on purpose.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tls_transcript.hpp"

namespace tlsmatrix {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Transcripts captured through a recording relay on 127.0.0.1 with OpenSSL 3.0 s_server and
// s_client (-servername wire.test, an ECDSA P-256 certificate), trimmed to the plaintext part
// and the first encrypted record after it. Their keys were ephemeral and protect nothing.

// (a) TLS 1.3 with x25519: s_server -tls1_3; s_client -tls1_3 -groups x25519.
constexpr std::string_view kTls13X25519ClientToServer =
    // handshake: ClientHello, 225 bytes
    "16030100dc010000d8030381cae65adcf2add66234076757d748138e8cf38383d6ce9656d2ad26f2c618c720"
    "199d93c03db21590b565b86bb717a8cd1b7a611143c02a4a8bc697a0bbf41118000813021303130100ff0100"
    "00870000000e000c000009776972652e74657374000b000403000102000a00040002001d0023000000160000"
    "00170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b00030203"
    "04002d00020101003300260024001d00204ec7318f62c034c0edf5122f788be47fefbf5d4bfde608b384f4b3"
    "9bad4be511"
    // change_cipher_spec, 6 bytes
    "140303000101"
    // encrypted (application_data), 74 bytes
    "170303004591f9d9e3582a8080ee326ef41aec714b6b7449cdd68af89fb78f206f07e503ae98878e2b1b3023"
    "3be4a61265de9f46a9df17bceb536a05dff298903c182999e76a26786b65";

constexpr std::string_view kTls13X25519ServerToClient =
    // handshake: ServerHello, 127 bytes
    "160303007a020000760303aa1781aa221fcdcf7c3486b7fa6b5db2cb0faebbcde14c6e2afddadaf6c68e1220"
    "199d93c03db21590b565b86bb717a8cd1b7a611143c02a4a8bc697a0bbf41118130200002e002b0002030400"
    "330024001d0020775c692448b9045ae34e815062cc1aa078de1778993fda39d483ec425f0b125c"
    // change_cipher_spec, 6 bytes
    "140303000101"
    // encrypted (application_data), 28 bytes
    "17030300175144b2602f99d801a8c942e15634b50fa832348d977b20";

// (b) HelloRetryRequest: s_server -tls1_3 -groups P-256; s_client -tls1_3 -groups x25519:P-256,
// which sends a key share for x25519 only.
constexpr std::string_view kTls13HrrClientToServer =
    // handshake: ClientHello, 227 bytes
    "16030100de010000da03037887f5e4a86a791973ebda938f8617a9f23c9b0cc22f758c5f60fb10358d7a8320"
    "7d1f3bfaf6ae322fe038331b62ba198f4f86571a33a3bf07209506f15e4db383000813021303130100ff0100"
    "00890000000e000c000009776972652e74657374000b000403000102000a00060004001d0017002300000016"
    "000000170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b0003"
    "020304002d00020101003300260024001d0020d09df6e66eaafc79918ddf8480575a1b02a75bb178b19464bf"
    "b44097fca30346"
    // change_cipher_spec, 6 bytes
    "140303000101"
    // handshake: ClientHello, 260 bytes
    "16030300ff010000fb03037887f5e4a86a791973ebda938f8617a9f23c9b0cc22f758c5f60fb10358d7a8320"
    "7d1f3bfaf6ae322fe038331b62ba198f4f86571a33a3bf07209506f15e4db383000813021303130100ff0100"
    "00aa0000000e000c000009776972652e74657374000b000403000102000a00060004001d0017002300000016"
    "000000170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b0003"
    "020304002d000201010033004700450017004104b575767f709d32f3684fd270e0bcd72a6781935658143ff3"
    "4d08536aef4554b84e8c91a8b70749a87d117a57b94256a4f5ed5b5dc2f78ee4a9d44a928fa705f1"
    // encrypted (application_data), 74 bytes
    "1703030045d61650d8131c60b00e5a34f5bf7f2016deb9008d03a5a0352551ae5632b103e3f741d0219ebb91"
    "59309bf6121d6df17a12c086eb072f77110e1247c7fa0f6845cf020f4ec3";

constexpr std::string_view kTls13HrrServerToClient =
    // handshake: HelloRetryRequest, 93 bytes
    "1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c20"
    "7d1f3bfaf6ae322fe038331b62ba198f4f86571a33a3bf07209506f15e4db383130200000c002b0002030400"
    "3300020017"
    // change_cipher_spec, 6 bytes
    "140303000101"
    // handshake: ServerHello, 160 bytes
    "160303009b02000097030369dacd55ce436a721da01718bea9b08de5401c2298783494e122499bdd42baf320"
    "7d1f3bfaf6ae322fe038331b62ba198f4f86571a33a3bf07209506f15e4db383130200004f002b0002030400"
    "33004500170041047f969107110b2b742a678de324daef69e7a41cb54aac3eb24df036b265a8fc03c95f6b2f"
    "04ce6fef4bbb80e4c75289b275cc6c0df689d77ddc9b5bc70768b17b"
    // encrypted (application_data), 28 bytes
    "1703030017e36cb366628ba25a608b8a5aabb96593ae786af1369bde";

// (c) TLS 1.2 ECDHE-ECDSA over P-256: s_server -tls1_2 -groups P-256; s_client -tls1_2
// -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups P-256. The client side runs to its close_notify.
constexpr std::string_view kTls12EcdheClientToServer =
    // handshake: ClientHello, 146 bytes
    "160301008d01000089030353715db989e632c41db2e552b38c6b6259dc71100cf235a18c6bc6ec96cf879f00"
    "0004c02b00ff0100005c0000000e000c000009776972652e74657374000b000403000102000a000400020017"
    "002300000016000000170000000d002a0028040305030603080708080809080a080b08040805080604010501"
    "0601030303010302040205020602"
    // handshake: ClientKeyExchange, 75 bytes
    "1603030046100000424104e4db378bc782d851c172716692b19f01f8571062ab5030042c4100497bda8eab35"
    "69c6c35697c5c730c08df62406697151cc16d039acf4f4c8e7cb64ba5f60a9"
    // change_cipher_spec, 6 bytes
    "140303000101"
    // encrypted (handshake), 45 bytes
    "16030300283b1b5a2b5a409d475fc3469c9602da32ee4a2225757133efd9adea49661818ecba61fde390dbf0"
    "83"
    // encrypted (application_data), 32 bytes
    "170303001b3b1b5a2b5a409d48ace13519afef3a95d759c6d1bdcaace06bfb3d"
    // encrypted (alert), 31 bytes
    "150303001a3b1b5a2b5a409d49fa9986e9b82fc32f2d2f64431df7f87c3b7d";

constexpr std::string_view kTls12EcdheServerToClient =
    // handshake: ServerHello, 70 bytes
    "16030300410200003d03039bf54f029edd863e50ce9a2e83242ea67f579eeb1c4371e3e625b4ecb85fdbd600"
    "c02b000015ff01000100000b0004030001020023000000170000"
    // handshake: Certificate, 390 bytes
    "16030301810b00017d00017a0001773082017330820119a00302010202145309101ae98edc9c159c3d4f5089"
    "edcc174cef83300a06082a8648ce3d040302300f310d300b06035504030c0477697265301e170d3236313132"
    "363036313130315a170d3236313232363036313130315a300f310d300b06035504030c047769726530593013"
    "06072a8648ce3d020106082a8648ce3d0301070342000403c021bf39a9d63d49a2dc535787da9e38d6f660a3"
    "68dfd9c80d6cb30fa49f0818e5e17fae7bce26d9ccc3fb414817973bc76b5d3de5706a695ef75915c7b303a3"
    "533051301d0603551d0e041604144873844fc30f5bb1f5c0d039e6e3c8982f7023ba301f0603551d23041830"
    "1680144873844fc30f5bb1f5c0d039e6e3c8982f7023ba300f0603551d130101ff040530030101ff300a0608"
    "2a8648ce3d0403020348003045022100f853a165481076f15bc338ee554085d243980ca738906b7c4a5a569e"
    "4979e245022053679fd210c27111b67c30155c1af341eccb44425377986c25e8fdd451271c0f"
    // handshake: ServerKeyExchange, 152 bytes
    "16030300930c00008f03001741044189299708ce908ec84c772259db375baccedad7bb8abad041c1fd222d80"
    "a5e04188e52ff82fd60ac40a28b76b97eeb15ccbae96fc602e6b36295ee8fa4c0a5f04030046304402207072"
    "87cabf3f056cefc0cc0e60c31cac0c7a7b12d7e7e4770ebc3fb89b702f5e02203f594594e03fc6b4b91ed223"
    "b90d3e6076f4b8fba1fd7ff9b14add0a67ed5173"
    // handshake: ServerHelloDone, 9 bytes
    "16030300040e000000"
    // handshake: NewSessionTicket, 191 bytes
    "16030300ba040000b600001c2000b04d3ccfc19a6717c0ddb1f187dbe387ec6456dffa5574c7eaeac1bc885a"
    "5bfbf492d5bb2b6387870a9f6bd09625b8f35df290b9cb977af2e328a31523c4b6cda0bbea96389499483a86"
    "f817309a8725b6bf8c16d7398c32cfffb2b821609e258543813a623a7d0d25cd1ff73cf13eb519209fd12df1"
    "8bd1025f840cc7457b740cadc87eea0155fb76472442f816ebef2d8dd9ac27eb78c2a4d5d61e82e56d0ca9f5"
    "fbb2021c1c13f3273e0dd5fbceee61"
    // change_cipher_spec, 6 bytes
    "140303000101"
    // encrypted (handshake), 45 bytes
    "1603030028e0f85ace885dc33415d667527fd4e697f7d66abe18c7d08acd3d5e67651c9a947bfaf09f7d6e5c"
    "a6";

// (d) Refused: s_server -tls1_3 -groups P-256; s_client -tls1_3 -groups x25519.
constexpr std::string_view kRefusedClientToServer =
    // handshake: ClientHello, 225 bytes
    "16030100dc010000d80303fbbabf413d6c545998b3d130f4161e5b5a7425c465c817f7b35f3dae35979eb920"
    "2e60a30eb6c7b9c09c87d3899f805b38ecfaeaf645aa6df6555db0ae3e0d5b77000813021303130100ff0100"
    "00870000000e000c000009776972652e74657374000b000403000102000a00040002001d0023000000160000"
    "00170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b00030203"
    "04002d00020101003300260024001d00209a447c22830ee88708a15f6a6c20031597288f0b32318654bd6d9d"
    "fb7b73c777";

constexpr std::string_view kRefusedServerToClient =
    // alert: level 2, description 40, 7 bytes
    "15030300020228";

// (e) TLS 1.3 resumption with early data: s_server -tls1_3 -early_data; s_client -tls1_3
// -sess_in (from an earlier connection) -early_data.
constexpr std::string_view kPskResumeClientToServer =
    // handshake: ClientHello, 342 bytes
    "16030101510100014d030337a3bc0faaed6c45d9782e77099ca4396fc64e3ac39f5e0f6a992dc1f1c00d3e20"
    "eaedc8c533ce9a1436d44c879dae2f4a82ec3e423155e75842ec29b9090ce4ca000813021303130100ff0100"
    "00fc0000000e000c000009776972652e74657374000b000403000102000a00160014001d0017001e00190018"
    "01000101010201030104002300000016000000170000000d001e001c040305030603080708080809080a080b"
    "080408050806040105010601002b0003020304002d00020101003300260024001d00206c76494fd1ffb435a9"
    "3ef3a8a71c461f9295ecbf2cde42e2021a2e805707a04b002a00000029005b00260020dc015fc6a3cd811672"
    "0eec220e64a8045cc091fb336401e1aa470a50177e86de90faf86d003130f4ca811c5426c4b3c80a67b89422"
    "3c9c31e4693648e350c70bcacdc17ba348aa13e2856977f8bec95898dba1ecd0a95f"
    // change_cipher_spec, 6 bytes
    "140303000101"
    // encrypted (application_data), 27 bytes
    "17030300164db97d6434ad842033ada4d72dea16cafc96fbba010f";

constexpr std::string_view kPskResumeServerToClient =
    // handshake: ServerHello, 133 bytes
    "16030300800200007c0303253cb7236eb815b2fd0e4f3055baae00d5613ac0ada621cd183c76be8a63fc9420"
    "eaedc8c533ce9a1436d44c879dae2f4a82ec3e423155e75842ec29b9090ce4ca1302000034002b0002030400"
    "330024001d0020b3009f76312270e958e38221675d2a36bafbe65ff489f24686aff7b7b67e366d0029000200"
    "00"
    // change_cipher_spec, 6 bytes
    "140303000101"
    // encrypted (application_data), 32 bytes
    "170303001bb0e479ab7df71ae995d9a96970f350f7a32a15bbecea1cb0b6e9c3";
constexpr std::uint16_t kTls12 = 0x0303;
constexpr std::uint16_t kTls13 = 0x0304;
constexpr std::uint16_t kSecp256r1 = 23;
constexpr std::uint16_t kX25519 = 29;
constexpr std::uint16_t kTlsAes256GcmSha384 = 0x1302;
constexpr std::uint16_t kEcdheEcdsaAes128GcmSha256 = 0xC02B;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kAlert = 21;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint8_t kServerKeyExchange = 12;

Bytes from_hex(std::string_view hex) {
  const auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    return static_cast<std::uint8_t>(c - 'a' + 10);
  };
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

Bytes concat(std::initializer_list<std::span<const std::uint8_t>> parts) {
  Bytes out;
  for (const auto part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

Bytes record(std::uint8_t type, std::span<const std::uint8_t> fragment) {
  const auto length = static_cast<std::uint16_t>(fragment.size());
  Bytes header = {type, 0x03, 0x03, static_cast<std::uint8_t>(length >> 8),
                  static_cast<std::uint8_t>(length & 0xff)};
  return concat({header, fragment});
}

Bytes handshake(std::uint8_t type, std::span<const std::uint8_t> body) {
  const auto length = static_cast<std::uint32_t>(body.size());
  Bytes header = {type, static_cast<std::uint8_t>(length >> 16),
                  static_cast<std::uint8_t>(length >> 8 & 0xff),
                  static_cast<std::uint8_t>(length & 0xff)};
  return concat({header, body});
}

// A TLS 1.2-style ServerHello body without extensions (RFC 5246 §7.4.1.3).
Bytes server_hello_body(std::uint16_t cipher_suite) {
  Bytes body = {0x03, 0x03};
  body.resize(body.size() + 32, 0x42);  // random
  body.push_back(0);                    // empty legacy_session_id_echo
  body.push_back(static_cast<std::uint8_t>(cipher_suite >> 8));
  body.push_back(static_cast<std::uint8_t>(cipher_suite & 0xff));
  body.push_back(0);  // compression method
  return body;
}

// The records of a stream, as offsets where each starts, by its own length fields.
std::set<std::size_t> record_boundaries(std::span<const std::uint8_t> stream) {
  std::set<std::size_t> out;
  std::size_t offset = 0;
  while (offset + 5 <= stream.size()) {
    out.insert(offset);
    offset += 5 + (static_cast<std::size_t>(stream[offset + 3]) << 8 | stream[offset + 4]);
  }
  out.insert(offset);
  return out;
}

// The first handshake record's payload: the whole ClientHello message of a capture.
Bytes first_handshake_fragment(std::span<const std::uint8_t> stream) {
  const std::size_t length = static_cast<std::size_t>(stream[3]) << 8 | stream[4];
  return Bytes(stream.begin() + 5, stream.begin() + 5 + static_cast<std::ptrdiff_t>(length));
}

bool has_note(const WireObservation& observation, std::string_view text) {
  return std::any_of(observation.notes.begin(), observation.notes.end(),
                     [&](const std::string& note) { return note.find(text) != std::string::npos; });
}

std::string all_notes(const WireObservation& observation) {
  std::string out;
  for (const auto& note : observation.notes) out += note + "\n";
  return out;
}

WireObservation observe_hex(std::string_view client_to_server, std::string_view server_to_client) {
  return observe_handshake(from_hex(client_to_server), from_hex(server_to_client));
}

// --- captured transcripts ---

TEST(WireTranscriptCaptured, Tls13X25519) {
  const auto seen = observe_hex(kTls13X25519ClientToServer, kTls13X25519ServerToClient);
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);

  EXPECT_FALSE(seen.hello_retry_request);
  EXPECT_EQ(seen.version, kTls13);
  EXPECT_EQ(seen.cipher_suite, kTlsAes256GcmSha384);
  EXPECT_EQ(seen.group, kX25519);
  EXPECT_FALSE(seen.psk_accepted);
  EXPECT_FALSE(seen.server_key_exchange_group.has_value());

  ASSERT_EQ(seen.client_hellos.size(), 1u);
  const auto& hello = seen.client_hellos[0];
  EXPECT_EQ(hello.message_length, 216u);
  EXPECT_EQ(hello.legacy_version, kTls12);
  EXPECT_EQ(hello.supported_versions, std::vector<std::uint16_t>{kTls13});
  EXPECT_EQ(hello.cipher_suites, (std::vector<std::uint16_t>{0x1302, 0x1303, 0x1301, 0x00FF}));
  EXPECT_EQ(hello.supported_groups, std::vector<std::uint16_t>{kX25519});
  ASSERT_EQ(hello.key_shares.size(), 1u);
  EXPECT_EQ(hello.key_shares[0].group, kX25519);
  EXPECT_EQ(hello.key_shares[0].key_exchange_length, 32u);
  EXPECT_EQ(hello.psk_key_exchange_modes, std::vector<std::uint8_t>{1});  // psk_dhe_ke
  EXPECT_FALSE(hello.pre_shared_key);
  EXPECT_TRUE(hello.psk_identities.empty());
  EXPECT_FALSE(hello.early_data);
  EXPECT_EQ(hello.server_name, "wire.test");
  EXPECT_EQ(hello.extensions.size(), 10u);

  ASSERT_EQ(seen.server_hellos.size(), 1u);
  const auto& server = seen.server_hellos[0];
  EXPECT_FALSE(server.hello_retry_request);
  EXPECT_EQ(server.legacy_version, kTls12);
  EXPECT_EQ(server.supported_version, kTls13);
  EXPECT_EQ(server.version, kTls13);
  EXPECT_EQ(server.cipher_suite, kTlsAes256GcmSha384);
  EXPECT_EQ(server.key_share_group, kX25519);
  EXPECT_EQ(server.key_share_length, 32u);
  EXPECT_FALSE(server.psk_selected_identity.has_value());

  // ClientHello, compatibility ChangeCipherSpec, then the encrypted Finished.
  EXPECT_EQ(seen.client_to_server.total_bytes, 305u);
  EXPECT_EQ(seen.client_to_server.record_count, 3u);
  EXPECT_TRUE(seen.client_to_server.encryption_started);
  EXPECT_EQ(seen.client_to_server.encrypted_record_count, 1u);
  EXPECT_EQ(seen.client_to_server.handshake_messages, std::vector<std::uint8_t>{kClientHello});
  EXPECT_TRUE(seen.client_to_server.plaintext_alerts.empty());
  // ServerHello, ChangeCipherSpec, then EncryptedExtensions.
  EXPECT_EQ(seen.server_to_client.record_count, 3u);
  EXPECT_TRUE(seen.server_to_client.encryption_started);
  EXPECT_EQ(seen.server_to_client.encrypted_record_count, 1u);
  EXPECT_EQ(seen.server_to_client.handshake_messages, std::vector<std::uint8_t>{kServerHello});
}

TEST(WireTranscriptCaptured, Tls13HelloRetryRequest) {
  const auto seen = observe_hex(kTls13HrrClientToServer, kTls13HrrServerToClient);
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);

  EXPECT_TRUE(seen.hello_retry_request);
  EXPECT_EQ(seen.version, kTls13);
  EXPECT_EQ(seen.cipher_suite, kTlsAes256GcmSha384);
  EXPECT_EQ(seen.group, kSecp256r1);

  // The second ClientHello follows the client's compatibility ChangeCipherSpec in plaintext.
  ASSERT_EQ(seen.client_hellos.size(), 2u);
  const auto& first = seen.client_hellos[0];
  EXPECT_EQ(first.supported_groups, (std::vector<std::uint16_t>{kX25519, kSecp256r1}));
  ASSERT_EQ(first.key_shares.size(), 1u);
  EXPECT_EQ(first.key_shares[0].group, kX25519);
  EXPECT_EQ(first.key_shares[0].key_exchange_length, 32u);
  const auto& second = seen.client_hellos[1];
  EXPECT_EQ(second.message_length, 251u);
  ASSERT_EQ(second.key_shares.size(), 1u);
  EXPECT_EQ(second.key_shares[0].group, kSecp256r1);
  EXPECT_EQ(second.key_shares[0].key_exchange_length, 65u);  // uncompressed P-256 point

  ASSERT_EQ(seen.server_hellos.size(), 2u);
  const auto& retry = seen.server_hellos[0];
  EXPECT_TRUE(retry.hello_retry_request);
  EXPECT_EQ(retry.version, kTls13);
  EXPECT_EQ(retry.key_share_group, kSecp256r1);
  EXPECT_FALSE(retry.key_share_length.has_value());
  const auto& final_hello = seen.server_hellos[1];
  EXPECT_FALSE(final_hello.hello_retry_request);
  EXPECT_EQ(final_hello.key_share_group, kSecp256r1);
  EXPECT_EQ(final_hello.key_share_length, 65u);

  EXPECT_EQ(seen.client_to_server.record_count, 4u);
  EXPECT_EQ(seen.client_to_server.encrypted_record_count, 1u);
  EXPECT_EQ(seen.server_to_client.record_count, 4u);
  EXPECT_EQ(seen.server_to_client.encrypted_record_count, 1u);
  EXPECT_EQ(seen.server_to_client.handshake_messages,
            (std::vector<std::uint8_t>{kServerHello, kServerHello}));
}

TEST(WireTranscriptCaptured, Tls12EcdheGroupFromServerKeyExchange) {
  const auto seen = observe_hex(kTls12EcdheClientToServer, kTls12EcdheServerToClient);
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);

  EXPECT_FALSE(seen.hello_retry_request);
  EXPECT_EQ(seen.version, kTls12);
  EXPECT_EQ(seen.cipher_suite, kEcdheEcdsaAes128GcmSha256);
  EXPECT_EQ(seen.server_key_exchange_group, kSecp256r1);
  EXPECT_EQ(seen.group, kSecp256r1);

  ASSERT_EQ(seen.client_hellos.size(), 1u);
  const auto& hello = seen.client_hellos[0];
  EXPECT_TRUE(hello.supported_versions.empty());
  EXPECT_TRUE(hello.key_shares.empty());
  EXPECT_EQ(hello.cipher_suites, (std::vector<std::uint16_t>{kEcdheEcdsaAes128GcmSha256, 0x00FF}));
  EXPECT_EQ(hello.supported_groups, std::vector<std::uint16_t>{kSecp256r1});

  ASSERT_EQ(seen.server_hellos.size(), 1u);
  EXPECT_FALSE(seen.server_hellos[0].supported_version.has_value());
  EXPECT_FALSE(seen.server_hellos[0].key_share_group.has_value());

  EXPECT_EQ(seen.server_to_client.handshake_messages,
            (std::vector<std::uint8_t>{kServerHello, 11, kServerKeyExchange, 14, 4}));
  // After ChangeCipherSpec the Finished is encrypted though its record type says handshake.
  EXPECT_EQ(seen.server_to_client.record_count, 7u);
  EXPECT_EQ(seen.server_to_client.encrypted_record_count, 1u);
  EXPECT_EQ(seen.client_to_server.handshake_messages,
            (std::vector<std::uint8_t>{kClientHello, 16}));
  // Finished, application data and an encrypted close_notify: none of it reads as plaintext.
  EXPECT_EQ(seen.client_to_server.encrypted_record_count, 3u);
  EXPECT_TRUE(seen.client_to_server.plaintext_alerts.empty());
}

TEST(WireTranscriptCaptured, RefusedHandshakeShowsPlaintextAlert) {
  const auto seen = observe_hex(kRefusedClientToServer, kRefusedServerToClient);
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);

  ASSERT_EQ(seen.server_to_client.plaintext_alerts.size(), 1u);
  const auto& alert = seen.server_to_client.plaintext_alerts[0];
  EXPECT_EQ(alert.level, 2);
  EXPECT_EQ(alert.description, 40);
  EXPECT_EQ(alert.name, "handshake_failure");
  EXPECT_EQ(alert.record_offset, 0u);

  ASSERT_EQ(seen.client_hellos.size(), 1u);
  EXPECT_EQ(seen.client_hellos[0].supported_groups, std::vector<std::uint16_t>{kX25519});
  EXPECT_TRUE(seen.server_hellos.empty());
  EXPECT_FALSE(seen.version.has_value());
  EXPECT_FALSE(seen.cipher_suite.has_value());
  EXPECT_FALSE(seen.group.has_value());
  EXPECT_FALSE(seen.client_to_server.encryption_started);
  EXPECT_FALSE(seen.server_to_client.encryption_started);
}

TEST(WireTranscriptCaptured, Tls13PskResumptionWithEarlyData) {
  const auto seen = observe_hex(kPskResumeClientToServer, kPskResumeServerToClient);
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);

  ASSERT_EQ(seen.client_hellos.size(), 1u);
  const auto& hello = seen.client_hellos[0];
  EXPECT_TRUE(hello.pre_shared_key);
  EXPECT_EQ(hello.psk_identities.size(), 1u);
  EXPECT_TRUE(hello.early_data);
  EXPECT_EQ(hello.psk_key_exchange_modes, std::vector<std::uint8_t>{1});
  EXPECT_EQ(hello.extensions.back(), 41);  // RFC 8446 §4.2.11: pre_shared_key comes last

  ASSERT_EQ(seen.server_hellos.size(), 1u);
  EXPECT_EQ(seen.server_hellos[0].psk_selected_identity, 0);
  EXPECT_TRUE(seen.psk_accepted);
  EXPECT_EQ(seen.group, kX25519);  // psk_dhe_ke still exchanges a key share
  EXPECT_EQ(seen.client_to_server.encrypted_record_count, 1u);  // the early data
}

TEST(WireTranscriptJson, NamesCodesInIanaTerms) {
  const auto json = to_json(observe_hex(kTls13HrrClientToServer, kTls13HrrServerToClient));
  EXPECT_EQ(json["hello_retry_request"], true);
  EXPECT_EQ(json["version"]["name"], "TLSv1.3");
  EXPECT_EQ(json["cipher_suite"]["code"], kTlsAes256GcmSha384);
  EXPECT_EQ(json["cipher_suite"]["name"], "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(json["group"]["name"], "secp256r1");
  EXPECT_EQ(json["client_hellos"][1]["key_shares"][0]["group"]["name"], "secp256r1");
  EXPECT_EQ(json["client_hellos"][1]["key_shares"][0]["key_exchange_length"], 65);
  EXPECT_EQ(json["client_hellos"][0]["server_name"], "wire.test");
  EXPECT_EQ(json["client_hellos"][0]["psk_key_exchange_modes"][0]["name"], "psk_dhe_ke");
  EXPECT_TRUE(json["server_hellos"][0]["key_share_length"].is_null());
  EXPECT_EQ(json["server_to_client"]["handshake_messages"][0]["name"], "server_hello");
  EXPECT_TRUE(json["notes"].is_array());

  const auto refused = to_json(observe_hex(kRefusedClientToServer, kRefusedServerToClient));
  const auto& alert = refused["server_to_client"]["plaintext_alerts"][0];
  EXPECT_EQ(alert["code"], 40);
  EXPECT_EQ(alert["name"], "handshake_failure");
  EXPECT_EQ(alert["level"]["name"], "fatal");
  EXPECT_TRUE(refused["version"].is_null());
}

// --- reassembly ---

TEST(WireTranscriptReassembly, HandshakeMessageSplitAcrossTwoRecords) {
  const Bytes message = first_handshake_fragment(from_hex(kTls13X25519ClientToServer));
  const std::span<const std::uint8_t> whole(message);
  const Bytes split =
      concat({record(kHandshake, whole.first(100)), record(kHandshake, whole.subspan(100))});

  const auto seen = observe_handshake(split, {});
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);
  EXPECT_EQ(seen.client_to_server.record_count, 2u);
  ASSERT_EQ(seen.client_hellos.size(), 1u);
  EXPECT_EQ(seen.client_hellos[0].message_length, 216u);
  EXPECT_EQ(seen.client_hellos[0].server_name, "wire.test");
  ASSERT_EQ(seen.client_hellos[0].key_shares.size(), 1u);
  EXPECT_EQ(seen.client_hellos[0].key_shares[0].key_exchange_length, 32u);
}

TEST(WireTranscriptReassembly, SeveralMessagesInOneRecord) {
  // Re-pack the TLS 1.2 server flight so ServerHello ... ServerHelloDone share one record.
  const Bytes flight = from_hex(kTls12EcdheServerToClient);
  Bytes messages;
  std::size_t offset = 0;
  for (int i = 0; i < 4; ++i) {
    const Bytes fragment = first_handshake_fragment(std::span(flight).subspan(offset));
    messages.insert(messages.end(), fragment.begin(), fragment.end());
    offset += 5 + fragment.size();
  }
  const auto seen = observe_handshake({}, record(kHandshake, messages));
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);
  EXPECT_EQ(seen.server_to_client.record_count, 1u);
  EXPECT_EQ(seen.server_to_client.handshake_messages,
            (std::vector<std::uint8_t>{kServerHello, 11, kServerKeyExchange, 14}));
  EXPECT_EQ(seen.server_key_exchange_group, kSecp256r1);
  EXPECT_EQ(seen.group, kSecp256r1);
}

TEST(WireTranscriptReassembly, AlertBetweenFragmentsOfAMessageIsNoted) {
  const Bytes message = first_handshake_fragment(from_hex(kTls13X25519ClientToServer));
  const std::span<const std::uint8_t> whole(message);
  const Bytes alert = {2, 50};
  const Bytes stream = concat({record(kHandshake, whole.first(100)), record(kAlert, alert),
                               record(kHandshake, whole.subspan(100))});

  const auto seen = observe_handshake(stream, {});
  EXPECT_TRUE(has_note(seen,
                       "client->server: truncated client_hello message (declares 216 "
                       "bytes, 96 present) before the alert record at offset 105"))
      << all_notes(seen);
  EXPECT_TRUE(seen.client_hellos.empty());
  ASSERT_EQ(seen.client_to_server.plaintext_alerts.size(), 1u);
  EXPECT_EQ(seen.client_to_server.plaintext_alerts[0].name, "decode_error");
}

// --- record protection ---

TEST(WireTranscriptProtection, WithoutAServerHelloTheClientOffersDecide) {
  // The server's bytes are missing. A client that offered TLS 1.3 sends its ChangeCipherSpec
  // for middleboxes only (RFC 8446 §D.4), so its second ClientHello is still plaintext ...
  const auto tls13 = observe_handshake(from_hex(kTls13HrrClientToServer), {});
  EXPECT_TRUE(tls13.notes.empty()) << all_notes(tls13);
  EXPECT_EQ(tls13.client_hellos.size(), 2u);
  EXPECT_EQ(tls13.client_to_server.encrypted_record_count, 1u);

  // ... while a TLS 1.2 client's Finished after ChangeCipherSpec is encrypted, not a message.
  const auto tls12 = observe_handshake(from_hex(kTls12EcdheClientToServer), {});
  EXPECT_TRUE(tls12.notes.empty()) << all_notes(tls12);
  EXPECT_EQ(tls12.client_to_server.handshake_messages,
            (std::vector<std::uint8_t>{kClientHello, 16}));
  EXPECT_EQ(tls12.client_to_server.encrypted_record_count, 3u);
}

TEST(WireTranscriptProtection, Tls13HandshakeBytesAfterServerHelloAreNotRead) {
  // A TLS 1.3 ServerHello must end its record (RFC 8446 §5.1); append a fake message to it.
  const Bytes server_hello = first_handshake_fragment(from_hex(kTls13X25519ServerToClient));
  const Bytes extra = handshake(kServerKeyExchange, Bytes{3, 0, 23});
  const auto seen = observe_handshake({}, record(kHandshake, concat({server_hello, extra})));

  EXPECT_TRUE(has_note(seen,
                       "server->client: 7 bytes of handshake data after the last "
                       "plaintext message in the record at offset 0"))
      << all_notes(seen);
  EXPECT_EQ(seen.server_to_client.handshake_messages, std::vector<std::uint8_t>{kServerHello});
  EXPECT_FALSE(seen.server_key_exchange_group.has_value());
  EXPECT_TRUE(seen.server_to_client.encryption_started);
}

TEST(WireTranscriptProtection, PlaintextAlertAfterTls13ServerHelloIsRecorded) {
  const Bytes server_flight = from_hex(kTls13X25519ServerToClient);
  const Bytes alert = {2, 47};
  const auto seen = observe_handshake({}, concat({server_flight, record(kAlert, alert)}));

  ASSERT_EQ(seen.server_to_client.plaintext_alerts.size(), 1u);
  EXPECT_EQ(seen.server_to_client.plaintext_alerts[0].name, "illegal_parameter");
  EXPECT_EQ(seen.server_to_client.plaintext_alerts[0].record_offset, server_flight.size());
  EXPECT_TRUE(has_note(seen, "plaintext alert at offset 161 after encryption started"))
      << all_notes(seen);
  EXPECT_EQ(seen.server_to_client.encrypted_record_count, 1u);
}

TEST(WireTranscriptProtection, Tls12DheLeavesGroupUnknown) {
  // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: ServerDHParams start with p, not a curve type.
  const Bytes dh_params = {0x00, 0x03, 0x01, 0x00, 0x01};
  const Bytes stream =
      concat({record(kHandshake, handshake(kServerHello, server_hello_body(0x009E))),
              record(kHandshake, handshake(kServerKeyExchange, dh_params))});
  const auto seen = observe_handshake({}, stream);
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);
  EXPECT_EQ(seen.version, kTls12);
  EXPECT_EQ(seen.cipher_suite, 0x009E);
  EXPECT_EQ(seen.server_to_client.handshake_messages,
            (std::vector<std::uint8_t>{kServerHello, kServerKeyExchange}));
  EXPECT_FALSE(seen.server_key_exchange_group.has_value());
  EXPECT_FALSE(seen.group.has_value());
}

// --- hostile and broken input ---

TEST(WireTranscriptRobustness, EmptyStreams) {
  const auto seen = observe_handshake({}, {});
  EXPECT_TRUE(seen.notes.empty()) << all_notes(seen);
  EXPECT_EQ(seen.client_to_server.total_bytes, 0u);
  EXPECT_EQ(seen.client_to_server.record_count, 0u);
  EXPECT_EQ(seen.server_to_client.record_count, 0u);
  EXPECT_TRUE(seen.client_hellos.empty());
  EXPECT_TRUE(seen.server_hellos.empty());
  EXPECT_FALSE(seen.version.has_value());
  EXPECT_FALSE(seen.hello_retry_request);
}

TEST(WireTranscriptRobustness, GarbageIsNotedNotParsed) {
  const std::string_view http = "GET / HTTP/1.1\r\nHost: wire.test\r\n\r\n";
  const Bytes request(http.begin(), http.end());
  const Bytes noise = {0x16, 0x99, 0x01, 0x00, 0x10, 0xde, 0xad};  // handshake type, bad version

  const auto seen = observe_handshake(request, noise);
  EXPECT_TRUE(has_note(seen, "client->server: not a TLS record at offset 0 (content type 71"))
      << all_notes(seen);
  EXPECT_TRUE(has_note(seen,
                       "server->client: not a TLS record at offset 0 (content type 22, "
                       "version 0x9901)"))
      << all_notes(seen);
  EXPECT_EQ(seen.client_to_server.total_bytes, request.size());
  EXPECT_EQ(seen.client_to_server.record_count, 0u);
  EXPECT_EQ(seen.server_to_client.record_count, 0u);
  EXPECT_TRUE(seen.client_hellos.empty());
}

TEST(WireTranscriptRobustness, TruncatedClientHelloRecord) {
  const Bytes capture = from_hex(kTls13X25519ClientToServer);
  const Bytes cut(capture.begin(), capture.begin() + 100);
  const auto seen = observe_handshake(cut, {});
  EXPECT_TRUE(has_note(seen,
                       "client->server: truncated record at offset 0 (declares 220 bytes, "
                       "95 present)"))
      << all_notes(seen);
  EXPECT_EQ(seen.client_to_server.record_count, 0u);
  EXPECT_TRUE(seen.client_hellos.empty());
}

TEST(WireTranscriptRobustness, TruncatedClientHelloMessage) {
  // A well-formed record that carries only the start of the ClientHello.
  const Bytes message = first_handshake_fragment(from_hex(kTls13X25519ClientToServer));
  const auto seen = observe_handshake(record(kHandshake, std::span(message).first(60)), {});
  EXPECT_TRUE(has_note(seen,
                       "client->server: truncated client_hello message (declares 216 "
                       "bytes, 56 present) at the end of the stream"))
      << all_notes(seen);
  EXPECT_EQ(seen.client_to_server.record_count, 1u);
  EXPECT_TRUE(seen.client_hellos.empty());
}

TEST(WireTranscriptRobustness, OversizedRecordLength) {
  Bytes stream = {kHandshake, 0x03, 0x01, 0xFF, 0xFF};
  stream.resize(stream.size() + 70000, 0x01);
  const auto seen = observe_handshake(stream, {});
  EXPECT_TRUE(has_note(seen,
                       "client->server: record at offset 0 declares 65535 bytes, more "
                       "than TLS allows"))
      << all_notes(seen);
  EXPECT_EQ(seen.client_to_server.record_count, 0u);
  EXPECT_TRUE(seen.client_hellos.empty());
}

TEST(WireTranscriptRobustness, LyingLengthInsideAnExtension) {
  Bytes message = first_handshake_fragment(from_hex(kTls13X25519ClientToServer));
  // key_share (0x0033): client_shares of 0x24 bytes holding x25519 (0x001d) with 0x20 bytes.
  const Bytes key_share = {0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};
  const auto at = std::search(message.begin(), message.end(), key_share.begin(), key_share.end());
  ASSERT_NE(at, message.end());
  *(at + 9) = 0xFF;  // the key now claims 255 bytes

  const auto seen = observe_handshake(record(kHandshake, message), {});
  EXPECT_TRUE(has_note(seen, "client->server: ClientHello: malformed extension 51"))
      << all_notes(seen);
  ASSERT_EQ(seen.client_hellos.size(), 1u);
  EXPECT_TRUE(seen.client_hellos[0].key_shares.empty());
  // Everything around the broken extension is still read.
  EXPECT_EQ(seen.client_hellos[0].supported_groups, std::vector<std::uint16_t>{kX25519});
  EXPECT_EQ(seen.client_hellos[0].psk_key_exchange_modes, std::vector<std::uint8_t>{1});
  EXPECT_EQ(seen.client_hellos[0].server_name, "wire.test");
}

TEST(WireTranscriptRobustness, LyingExtensionsBlockLength) {
  Bytes message = first_handshake_fragment(from_hex(kTls13X25519ClientToServer));
  // The extensions block length sits after version, random, session id, suites, compression.
  const std::size_t at = 4 + 2 + 32 + 1 + 32 + 2 + 8 + 2;
  ASSERT_EQ(message[at], 0x00);
  ASSERT_EQ(message[at + 1], 0x87);
  message[at] = 0x7F;

  const auto seen = observe_handshake(record(kHandshake, message), {});
  EXPECT_TRUE(has_note(seen, "client->server: ClientHello: extensions overrun the message"))
      << all_notes(seen);
  ASSERT_EQ(seen.client_hellos.size(), 1u);
  EXPECT_EQ(seen.client_hellos[0].cipher_suites.size(), 4u);
  EXPECT_TRUE(seen.client_hellos[0].extensions.empty());
}

TEST(WireTranscriptRobustness, EveryTruncationOfACaptureIsNoted) {
  const Bytes capture = from_hex(kTls12EcdheServerToClient);
  const auto boundaries = record_boundaries(capture);
  for (std::size_t length = 0; length < capture.size(); ++length) {
    const auto seen = observe_handshake({}, std::span<const std::uint8_t>(capture).first(length));
    if (boundaries.count(length) != 0) {
      EXPECT_TRUE(seen.notes.empty()) << "cut at " << length << "\n" << all_notes(seen);
    } else {
      EXPECT_TRUE(has_note(seen, "truncated record")) << "cut at " << length;
    }
  }
}

TEST(WireTranscriptRobustness, CorruptedBytesKeepObservationsConsistent) {
  const Bytes client = from_hex(kTls13HrrClientToServer);
  const Bytes server = from_hex(kTls13HrrServerToClient);
  for (const int flip : {0x80, 0xFF}) {
    for (std::size_t i = 0; i < client.size() + server.size(); ++i) {
      Bytes c = client;
      Bytes s = server;
      if (i < c.size()) {
        c[i] = static_cast<std::uint8_t>(c[i] ^ flip);
      } else {
        s[i - c.size()] = static_cast<std::uint8_t>(s[i - c.size()] ^ flip);
      }
      const auto seen = observe_handshake(c, s);
      for (const auto* direction : {&seen.client_to_server, &seen.server_to_client}) {
        ASSERT_LE(direction->record_count * 5, direction->total_bytes) << "byte " << i;
        ASSERT_LE(direction->encrypted_record_count, direction->record_count) << "byte " << i;
      }
      for (const auto& hello : seen.client_hellos) {
        std::size_t key_bytes = 0;
        for (const auto& share : hello.key_shares) key_bytes += share.key_exchange_length;
        ASSERT_LE(key_bytes + hello.cipher_suites.size() * 2, hello.message_length) << "byte " << i;
      }
      // Whatever the bytes, the report must serialise (host names must stay valid UTF-8).
      ASSERT_NO_THROW(static_cast<void>(to_json(seen).dump())) << "byte " << i;
    }
  }
}

}  // namespace
}  // namespace tlsmatrix
