// The attacker against the wire library: hellos made with the wire writer go through the
// interceptor with a mutation and are read back with the wire reader; what it leaves alone
// must come out byte for byte.
#include "handshake_interceptor.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "client_hello_parser.hpp"
#include "hello_message.hpp"
#include "hello_writer.hpp"
#include "record_writer.hpp"
#include "server_hello_parser.hpp"
#include "tls_transcript.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kX25519 = 29;
constexpr std::uint16_t kX25519MLKEM768 = 0x11EC;

Bytes client_hello() {
  wire::ClientHelloSpec spec;
  spec.cipher_suites = {0x1301, 0x1302, 0xC02B};
  spec.server_name = "server.tlsmatrix.test";
  spec.supported_groups = {kX25519MLKEM768, kX25519};
  spec.supported_versions = {0x0304, 0x0303};
  spec.psk_key_exchange_modes = {1};
  spec.key_shares = std::vector<wire::KeyShareEntry>{{kX25519MLKEM768, Bytes(1216, 0x11)},
                                                     {kX25519, Bytes(32, 0x22)}};
  return wire::write_records(wire::kHandshake, wire::write_client_hello(spec));
}

Mutation mutation(const std::string& name,
                  const std::map<std::string, std::vector<std::string>>& params = {}) {
  return parse_mutation(name, params);
}

// Everything written to the server, joined.
Bytes to_server(const std::vector<RelayWrite>& writes) {
  Bytes out;
  for (const auto& w : writes)
    if (w.to_server) out.insert(out.end(), w.bytes.begin(), w.bytes.end());
  return out;
}

ClientHelloObservation received_hello(const Bytes& stream) {
  const auto seen = observe_handshake(stream, {});
  EXPECT_EQ(seen.client_hellos.size(), 1u);
  return seen.client_hellos.empty() ? ClientHelloObservation{} : seen.client_hellos.front();
}

TEST(HelloMessage, ReadingAndWritingBackIsLossless) {
  const auto records = client_hello();
  const std::span message(records.begin() + wire::kRecordHeaderLength, records.end());
  const auto hello = wire::read_hello_message(message);
  ASSERT_TRUE(hello);
  EXPECT_EQ(wire::write_hello_message(*hello), Bytes(message.begin(), message.end()));
  Bytes cut(message.begin(), message.end() - 1);
  EXPECT_FALSE(wire::read_hello_message(cut)) << "a length that does not add up is refused";
}

TEST(HandshakeInterceptor, WithoutAMatchingMutationBytesPassUnchanged) {
  const std::vector attack = {mutation("rewrite_server_random")};
  HandshakeInterceptor interceptor(attack);
  const auto hello = client_hello();
  // Over three reads, one of them inside the record header.
  Bytes out;
  for (const auto& [from, to] :
       {std::pair{0, 3}, {3, 100}, {100, static_cast<int>(hello.size())}}) {
    const auto writes = interceptor.on_read(true, std::span(hello).subspan(from, to - from));
    const auto part = to_server(writes);
    out.insert(out.end(), part.begin(), part.end());
  }
  EXPECT_EQ(out, hello);
  EXPECT_EQ(interceptor.records().front().applied, 0);
}

TEST(HandshakeInterceptor, RemovesAGroupAndItsKeyShare) {
  const std::vector attack = {mutation("remove_group", {{"group", {"X25519MLKEM768"}}})};
  HandshakeInterceptor interceptor(attack);
  const auto seen = received_hello(to_server(interceptor.on_read(true, client_hello())));
  EXPECT_EQ(seen.supported_groups, std::vector<std::uint16_t>{kX25519});
  ASSERT_EQ(seen.key_shares.size(), 1u);
  EXPECT_EQ(seen.key_shares.front().group, kX25519);
  EXPECT_EQ(interceptor.records().front().applied, 1);
  EXPECT_EQ(interceptor.records().front().did.front(),
            "removed X25519MLKEM768 from supported_groups and key_share");
}

TEST(HandshakeInterceptor, AnAbsentTargetIsReportedNotSkippedSilently) {
  const std::vector attack = {mutation("remove_group", {{"group", {"secp384r1"}}}),
                              mutation("flip_binder_byte")};
  HandshakeInterceptor interceptor(attack);
  const auto hello = client_hello();
  EXPECT_EQ(to_server(interceptor.on_read(true, hello)), hello);
  EXPECT_EQ(interceptor.records()[0].applied, 0);
  EXPECT_EQ(interceptor.records()[0].absent, "the ClientHello offers no secp384r1");
  EXPECT_EQ(interceptor.records()[1].absent, "the ClientHello has no pre_shared_key");
}

TEST(HandshakeInterceptor, BreaksTheMlkemKeyAndShortensAShare) {
  const std::vector attack = {mutation("break_mlkem_key", {{"group", {"X25519MLKEM768"}}}),
                              mutation("truncate_key_share", {{"group", {"x25519"}}})};
  HandshakeInterceptor interceptor(attack);
  const auto stream = to_server(interceptor.on_read(true, client_hello()));
  const auto hello = wire::read_hello_message(std::span(stream).subspan(wire::kRecordHeaderLength));
  ASSERT_TRUE(hello);
  const auto* ext = hello->extension(0x0033);
  ASSERT_NE(ext, nullptr);
  // entries: 2-byte list length, then group, length, key: the first coefficient is 0xFFF.
  EXPECT_EQ(ext->data[6], 0xFF);
  EXPECT_EQ(ext->data[7] & 0x0F, 0x0F);
  const auto seen = received_hello(stream);
  EXPECT_EQ(seen.key_shares.back().key_exchange_length, 31u);
}

TEST(HandshakeInterceptor, ForgedHelloRetryRequestGoesBackAndTheHelloIsDropped) {
  const std::vector attack = {mutation("forge_hello_retry_request", {{"group", {"x25519"}}})};
  HandshakeInterceptor interceptor(attack);
  const auto writes = interceptor.on_read(true, client_hello());
  EXPECT_TRUE(to_server(writes).empty());
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_FALSE(writes.front().to_server);
  const auto seen = observe_handshake({}, writes.front().bytes);
  ASSERT_EQ(seen.server_hellos.size(), 1u);
  EXPECT_TRUE(seen.server_hellos.front().hello_retry_request);
  EXPECT_EQ(seen.server_hellos.front().key_share_group, kX25519);
  // The second ClientHello goes on: the attacker answers only the first.
  EXPECT_EQ(to_server(interceptor.on_read(true, client_hello())), client_hello());
}

TEST(HandshakeInterceptor, SplitsIntoSmallRecordsAndSingleByteWrites) {
  const std::vector split = {mutation("split_records", {{"record_size", {"7"}}})};
  HandshakeInterceptor splitter(split);
  const auto stream = to_server(splitter.on_read(true, client_hello()));
  const auto seen = observe_handshake(stream, {});
  EXPECT_GT(seen.client_to_server.record_count, 100u);
  EXPECT_EQ(seen.client_hellos.front().supported_groups.size(), 2u);

  const std::vector bytewise = {mutation("byte_writes")};
  HandshakeInterceptor writer(bytewise);
  const auto writes = writer.on_read(true, client_hello());
  EXPECT_EQ(writes.size(), client_hello().size());
  EXPECT_EQ(to_server(writes), client_hello());
}

TEST(HandshakeInterceptor, EncryptedRecordsPassUntouched) {
  const std::vector attack = {mutation("reverse_cipher_suites")};
  HandshakeInterceptor interceptor(attack);
  (void)interceptor.on_read(true, client_hello());
  const auto data = wire::write_records(wire::kApplicationData, Bytes(40, 0x01));
  EXPECT_EQ(to_server(interceptor.on_read(true, data)), data);
  // After application data the direction is not parsed any more, even as a hello.
  EXPECT_EQ(to_server(interceptor.on_read(true, client_hello())), client_hello());
  EXPECT_EQ(interceptor.records().front().applied, 1);
}

// A record as a peer sent it (tests/fixtures/captured/README.md).
Bytes captured(const std::string& name) {
  std::ifstream in(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "tests/fixtures/captured" / name);
  std::string hex;
  in >> hex;
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// OpenSSL 3.6's real ClientHello, read in two pieces cut at every offset: unattacked it comes
// out byte for byte, and attacked it reads back with exactly the change made.
TEST(HandshakeInterceptor, CapturedClientHelloAtEveryCut) {
  const auto hello = captured("openssl-3.6.5-client-hello-x25519mlkem768-x25519.hex");
  ASSERT_GT(hello.size(), 1200u);
  const auto original = received_hello(hello);
  ASSERT_EQ(original.key_shares.size(), 2u);
  const std::vector untouched = {mutation("rewrite_server_random")};
  const std::vector stripped = {mutation("remove_group", {{"group", {"X25519MLKEM768"}}})};
  for (std::size_t cut = 0; cut <= hello.size(); cut += 7) {
    for (const auto* attack : {&untouched, &stripped}) {
      HandshakeInterceptor interceptor(*attack);
      auto out = to_server(interceptor.on_read(true, std::span(hello).first(cut)));
      const auto rest = to_server(interceptor.on_read(true, std::span(hello).subspan(cut)));
      out.insert(out.end(), rest.begin(), rest.end());
      if (attack == &untouched) {
        ASSERT_EQ(out, hello) << "cut at " << cut;
        continue;
      }
      const auto seen = received_hello(out);
      ASSERT_EQ(seen.supported_groups, std::vector<std::uint16_t>{kX25519}) << "cut at " << cut;
      ASSERT_EQ(seen.key_shares.size(), 1u);
      EXPECT_EQ(seen.cipher_suites, original.cipher_suites);
      EXPECT_EQ(seen.extensions, original.extensions);
      EXPECT_EQ(seen.message_length, original.message_length - 2 - 4 - 1216);
    }
  }
}

TEST(HandshakeInterceptor, CapturedServerHelloShareAndRandom) {
  const auto hello = captured("openssl-3.6.5-server-hello-x25519.hex");
  const std::vector attack = {mutation("truncate_server_key_share"),
                              mutation("rewrite_server_random")};
  HandshakeInterceptor interceptor(attack);
  Bytes out;
  for (const auto& w : interceptor.on_read(false, hello))
    if (!w.to_server) out.insert(out.end(), w.bytes.begin(), w.bytes.end());
  const auto before = observe_handshake({}, hello).server_hellos.at(0);
  const auto after = observe_handshake({}, out).server_hellos.at(0);
  EXPECT_EQ(after.key_share_group, before.key_share_group);
  EXPECT_EQ(*after.key_share_length, *before.key_share_length - 1);
  EXPECT_EQ(after.version, 0x0304);
  EXPECT_EQ(interceptor.records()[0].applied, 1);
  EXPECT_EQ(interceptor.records()[1].applied, 1);
  EXPECT_NE(out, hello);
}

TEST(Mutations, ParametersAreCheckedWhenTheSuiteIsLoaded) {
  EXPECT_THROW(mutation("no_such_mutation"), std::invalid_argument);
  EXPECT_THROW(mutation("remove_group"), std::invalid_argument);
  EXPECT_THROW(mutation("remove_group", {{"group", {"not-a-group"}}}), std::invalid_argument);
  EXPECT_THROW(mutation("byte_writes", {{"group", {"x25519"}}}), std::invalid_argument);
  EXPECT_THROW(mutation("split_records", {{"record_size", {"0"}}}), std::invalid_argument);
  EXPECT_EQ(mutation_text(mutation("set_supported_versions", {{"versions", {"TLSv1.2"}}})),
            "set_supported_versions(versions: [TLSv1.2])");
}

// suites/README.md's table under "## The attacker" is the mutation table, row for row.
TEST(Mutations, SuiteDocumentationListsEveryRowAsTheTableSaysIt) {
  std::ifstream doc(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites" / "README.md");
  std::map<std::string, std::string> documented;
  bool in_section = false;
  for (std::string line; std::getline(doc, line);) {
    if (line.starts_with("## ")) in_section = line.starts_with("## The attacker");
    if (!in_section || !line.starts_with("| `")) continue;
    documented[line.substr(3, line.find('`', 3) - 3)] = line;
  }
  std::map<std::string, std::string> typed;
  for (const auto& m : mutation_table()) {
    std::string params;
    for (const auto p : m.params)
      params += (params.empty() ? "`" : ", `") + std::string(mutation_param_name(p)) + "`";
    typed[m.name] = std::string("| `") + m.name + "` | " +
                    (m.target == MutationTarget::client_hello ? "ClientHello" : "ServerHello") +
                    " | " + (params.empty() ? "none" : params) + " | " + m.description + " |";
  }
  EXPECT_EQ(documented, typed);
}

}  // namespace
}  // namespace tlsmatrix
