// The verdict from what peers reported and what the wire carried, with hellos from the wire
// writer: claims the wire does not back, stalls, TLS 1.2 PSK suites, offered cipher suites and
// groups, and refusals.
#include "facts_from_run.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "hello_writer.hpp"
#include "record_writer.hpp"
#include "refusal.hpp"
#include "tls_transcript.hpp"
#include "verdict.hpp"
#include "wire_constants.hpp"

namespace tlsmatrix {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kTls12 = 0x0303;
constexpr std::uint16_t kTls13 = 0x0304;
constexpr std::uint16_t kX25519 = 29;
constexpr std::uint16_t kSecp256r1 = 23;
constexpr std::uint16_t kAes128Gcm = 0x1301;
constexpr std::uint16_t kAes256Gcm = 0x1302;
constexpr std::uint16_t kPskAes128Gcm = 0x00A8;  // TLS_PSK_WITH_AES_128_GCM_SHA256
constexpr std::uint16_t kEcdheEcdsaAes128Gcm = 0xC02B;
constexpr std::uint16_t kEmptyRenegotiationInfoScsv = 0x00FF;
constexpr std::uint16_t kGrease = 0x3A3A;

// One handshake message in one plaintext record (RFC 8446 §5.1).
Bytes record_of(const Bytes& message) {
  return wire::write_records(wire::kHandshake, message);
}

// RFC 8446 §4.1.2: cipher suites, supported_versions, supported_groups and key shares (the
// key_share extension is sent even with no shares).
Bytes client_hello(std::initializer_list<std::uint16_t> suites,
                   std::initializer_list<std::uint16_t> versions,
                   std::initializer_list<std::uint16_t> groups,
                   std::initializer_list<std::uint16_t> shares) {
  wire::ClientHelloSpec spec;
  spec.random.fill(0x11);
  spec.cipher_suites = suites;
  spec.supported_versions = versions;
  spec.supported_groups = groups;
  spec.key_shares.emplace();
  for (const auto g : shares) spec.key_shares->push_back({g, Bytes(32, 0x22)});
  return record_of(wire::write_client_hello(spec));
}

// RFC 8446 §4.1.3; a TLS 1.3 one carries supported_versions and a key share, a TLS 1.2 one
// (RFC 5246 §7.4.1.3) no extensions.
Bytes server_hello(std::uint16_t version, std::uint16_t suite) {
  wire::ServerHelloSpec spec;
  spec.random.fill(0x33);
  spec.cipher_suite = suite;
  if (version == kTls13) {
    spec.supported_version = kTls13;
    spec.key_share = wire::KeyShareEntry{kX25519, Bytes(32, 0x44)};
  }
  return record_of(wire::write_server_hello(spec));
}

HandshakeOutcome completed(const char* role, const char* version, std::uint16_t suite) {
  HandshakeOutcome o;
  o.role = role;
  o.stage = Stage::done;
  o.handshake_ok = true;
  o.version = version;
  o.cipher_suite = suite;
  o.app_data_verified = true;
  return o;
}

HandshakeOutcome stopped(const char* role, Stage stage) {
  HandshakeOutcome o;
  o.role = role;
  o.stage = stage;
  return o;
}

// What each peer reported, as a test sets it; Cell::connection() views it as the runner does.
struct Reported {
  std::optional<HandshakeOutcome> client, server;
};

struct Cell {
  PeerEntry client{"a@host", "a", "host", {"a"}, "test"};
  PeerEntry server{"b@host", "b", "host", {"b"}, "test"};
  CellRequest request;
  Reported run;
  Bytes client_bytes, server_bytes;
  Capabilities client_caps;

  Cell() {
    request.client = &client;
    request.server = &server;
    request.client_config.role = Role::client;
    request.server_config.role = Role::server;
    // Both reported (the runner judges nothing else); tests replace them.
    run.client = stopped("client", Stage::handshake);
    run.server = stopped("server", Stage::handshake);
  }
  ConnectionRun connection() const {
    return {run.client ? &*run.client : nullptr, run.server ? &*run.server : nullptr, client_bytes,
            server_bytes};
  }
  WireObservation wire() const { return observe_handshake(client_bytes, server_bytes); }
  CellFacts facts() const { return facts_from_run(connection(), wire(), request, client_caps); }
};

Expectation check(Fact fact, std::vector<std::string> any_of,
                  Severity on_mismatch = Severity::fail) {
  Expectation e;
  e.fact = fact;
  e.any_of = std::move(any_of);
  e.cite = "RFC 8446 §4.1.1";
  e.on_mismatch = on_mismatch;
  return e;
}

Scenario expecting(std::vector<Expectation> checks) {
  Scenario s;
  s.id = "unit";
  s.expectations = std::move(checks);
  return s;
}

bool mentions(const std::vector<std::string>& list, const std::string& text) {
  for (const auto& s : list)
    if (s.find(text) != std::string::npos) return true;
  return false;
}

TEST(FactsFromRun, ClaimedHandshakeWithAnEmptyWireIsAnError) {
  Cell cell;
  cell.run.client = completed("client", "TLSv1.3", kAes128Gcm);
  cell.run.server = completed("server", "TLSv1.3", kAes128Gcm);
  const auto v = judge(expecting({check(Fact::handshake, {"success"})}), cell.facts());
  EXPECT_EQ(v.status, Status::error);
  EXPECT_NE(v.reason.find("client peer a@host and server peer b@host report a completed "
                          "handshake but the wire shows no handshake (no ClientHello, no "
                          "ServerHello; the relay saw 0 bytes client->server, 0 server->client)"),
            std::string::npos)
      << v.reason;
}

TEST(FactsFromRun, ClaimedHandshakeWithoutAServerHelloIsAnError) {
  Cell cell;
  cell.client_bytes = client_hello({kAes128Gcm}, {kTls13}, {kX25519}, {kX25519});
  cell.run.client = completed("client", "TLSv1.3", kAes128Gcm);
  cell.run.server = completed("server", "TLSv1.3", kAes128Gcm);
  EXPECT_TRUE(
      mentions(cell.facts().inconsistencies, "the wire shows no handshake (no ServerHello"));
  cell.server_bytes = server_hello(kTls13, kAes128Gcm);
  const auto facts = cell.facts();
  EXPECT_TRUE(facts.inconsistencies.empty()) << facts.inconsistencies.front();
  EXPECT_EQ(facts.handshake, HandshakeResult::success);
}

TEST(FactsFromRun, TimedOutSideIsAStallNeverARefusal) {
  Cell cell;
  cell.client_bytes = client_hello({kAes128Gcm}, {kTls13}, {kX25519}, {kX25519});
  cell.run.client = stopped("client", Stage::handshake);
  cell.run.client->timed_out = true;
  cell.run.server = stopped("server", Stage::handshake);
  cell.run.server->error = "read timed out";
  cell.run.server->timed_out = true;
  const auto facts = cell.facts();
  EXPECT_EQ(facts.handshake, HandshakeResult::stalled);
  EXPECT_EQ(facts.handshake_summary,
            "handshake stalled: client a@host timed out in handshake waiting for the server; "
            "server b@host timed out in handshake waiting for the client; last on the wire: "
            "client->server: client_hello; server->client: nothing");

  // Expecting a refusal, even with a lenient outcome check, a stall is a failure.
  auto refusal = expecting({check(Fact::handshake, {"refused"}, Severity::deviation)});
  const auto v = judge(refusal, facts);
  EXPECT_EQ(v.status, Status::fail) << v.reason;
  EXPECT_EQ(v.checks[0].observed, "stalled");
  EXPECT_NE(v.reason.find("observed stalled: handshake stalled"), std::string::npos) << v.reason;

  // Without a timeout the same picture is a refusal by whoever stopped.
  cell.run.client->timed_out = cell.run.server->timed_out = false;
  EXPECT_EQ(judge(refusal, cell.facts()).status, Status::pass);
}

TEST(FactsFromRun, Tls12PskSuiteIsJudgedAsPskWithoutAMode) {
  Cell cell;
  cell.client_bytes = client_hello({kPskAes128Gcm}, {kTls12}, {kX25519}, {});
  cell.server_bytes = server_hello(kTls12, kPskAes128Gcm);
  for (auto* peer : {&cell.run.client, &cell.run.server}) {
    *peer = completed(peer == &cell.run.client ? "client" : "server", "TLSv1.2", kPskAes128Gcm);
    (*peer)->psk_used = true;
  }
  cell.request.client_config.cipher_suites = {"TLS_PSK_WITH_AES_128_GCM_SHA256"};
  const auto facts = cell.facts();
  EXPECT_TRUE(facts.inconsistencies.empty()) << facts.inconsistencies.front();
  EXPECT_EQ(facts.value(Fact::psk_used), "true");
  EXPECT_EQ(facts.sources.at("psk_used"), "wire");
  EXPECT_FALSE(facts.value(Fact::psk_mode).has_value());
  const auto v = judge(
      expecting({check(Fact::handshake, {"success"}), check(Fact::psk_used, {"true"})}), facts);
  EXPECT_EQ(v.status, Status::pass) << v.reason;

  // The same claim over a suite without a PSK key exchange contradicts the wire.
  Cell ecdhe = cell;
  ecdhe.request.client = &ecdhe.client;
  ecdhe.request.server = &ecdhe.server;
  ecdhe.request.client_config.cipher_suites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};
  ecdhe.client_bytes = client_hello({kEcdheEcdsaAes128Gcm}, {kTls12}, {kX25519}, {});
  ecdhe.server_bytes = server_hello(kTls12, kEcdheEcdsaAes128Gcm);
  ecdhe.run.client->cipher_suite = ecdhe.run.server->cipher_suite = kEcdheEcdsaAes128Gcm;
  EXPECT_TRUE(mentions(ecdhe.facts().inconsistencies,
                       "client peer a@host reports psk_used true but the wire shows false"));
}

// An external PSK with (EC)DHE (RFC 8446 §4.2.9, §4.2.11): the identity the server selected is
// read off the two hellos, as are the mode and the use of a PSK.
TEST(FactsFromRun, ExternalPskFactsComeFromTheHellos) {
  Cell cell;
  wire::ClientHelloSpec offer;
  offer.random.fill(0x11);
  offer.cipher_suites = {kAes128Gcm};
  offer.supported_versions = {kTls13};
  offer.supported_groups = {kX25519};
  offer.key_shares = {{kX25519, Bytes(32, 0x22)}};
  offer.psk_key_exchange_modes = {1};  // psk_dhe_ke
  offer.psk_identities = {{Bytes{'a', 'l', 'i', 'c', 'e'}, 0}, {Bytes{'b', 'o', 'b'}, 0}};
  offer.psk_binders = {Bytes(32, 0x55), Bytes(32, 0x66)};
  cell.client_bytes = record_of(wire::write_client_hello(offer));
  wire::ServerHelloSpec answer;
  answer.random.fill(0x33);
  answer.cipher_suite = kAes128Gcm;
  answer.supported_version = kTls13;
  answer.key_share = wire::KeyShareEntry{kX25519, Bytes(32, 0x44)};
  answer.psk_selected_identity = 1;
  cell.server_bytes = record_of(wire::write_server_hello(answer));
  for (auto* peer : {&cell.run.client, &cell.run.server}) {
    *peer = completed(peer == &cell.run.client ? "client" : "server", "TLSv1.3", kAes128Gcm);
    (*peer)->psk_used = true;
  }
  cell.request.client_config.groups = {"x25519"};
  cell.request.client_config.cipher_suites = {"TLS_AES_128_GCM_SHA256"};

  const auto facts = cell.facts();
  EXPECT_TRUE(facts.inconsistencies.empty()) << facts.inconsistencies.front();
  EXPECT_EQ(facts.value(Fact::psk_identity), "bob");
  EXPECT_EQ(facts.value(Fact::psk_mode), "psk_dhe_ke");
  EXPECT_EQ(facts.value(Fact::psk_used), "true");
  EXPECT_EQ(facts.sources.at("psk_identity"), "wire");
  EXPECT_EQ(
      judge(expecting({check(Fact::handshake, {"success"}), check(Fact::psk_identity, {"alice"})}),
            facts)
          .status,
      Status::fail);
}

TEST(FactsFromRun, OfferedCipherSuitesMustBeTheConfiguredOnesInOrder) {
  Cell cell;
  cell.request.client_config.cipher_suites = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"};
  // Signalling values and GREASE are not suites.
  cell.client_bytes = client_hello({kGrease, kAes256Gcm, kAes128Gcm, kEmptyRenegotiationInfoScsv},
                                   {kTls13}, {kX25519}, {kX25519});
  EXPECT_TRUE(cell.facts().inconsistencies.empty()) << cell.facts().inconsistencies.front();

  cell.client_bytes = client_hello({kAes128Gcm, kAes256Gcm}, {kTls13}, {kX25519}, {kX25519});
  EXPECT_TRUE(mentions(cell.facts().inconsistencies,
                       "client peer a@host was configured with cipher suites "
                       "[TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256] but its first "
                       "ClientHello offered [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384]"));
  cell.client_bytes = client_hello({kAes256Gcm}, {kTls13}, {kX25519}, {kX25519});
  EXPECT_TRUE(mentions(cell.facts().inconsistencies, "offered [TLS_AES_256_GCM_SHA384]"));
}

TEST(FactsFromRun, GroupOrderCountsOnlyForAClientThatHonoursIt) {
  Cell cell;
  cell.request.client_config.groups = {"x25519", "secp256r1"};
  cell.client_bytes = client_hello({kAes128Gcm}, {kTls13}, {kSecp256r1, kX25519}, {kX25519});
  EXPECT_TRUE(cell.facts().inconsistencies.empty()) << cell.facts().inconsistencies.front();
  cell.client_caps.features = {Feature::group_order};
  EXPECT_TRUE(mentions(cell.facts().inconsistencies,
                       "configured with groups [x25519, secp256r1] but its ClientHello offered "
                       "[secp256r1, x25519]"));
  cell.client_bytes = client_hello({kAes128Gcm}, {kTls13}, {kSecp256r1}, {kSecp256r1});
  cell.client_caps.features.clear();
  EXPECT_TRUE(mentions(cell.facts().inconsistencies, "offered [secp256r1]"));
}

TEST(Refusal, RefusedSettingMakesTheCellUnsupported) {
  Cell cell;
  cell.run.client = stopped("client", Stage::configure);
  cell.run.client->refused = ConfigRefusal{"key_shares", "cannot send exactly [x25519]"};
  cell.run.server = stopped("server", Stage::connect);
  cell.run.server->timed_out = true;
  const auto v = refusal_verdict(cell.connection(), cell.wire(), cell.request);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->status, Status::unsupported);
  EXPECT_EQ(v->reason, "client a@host refused key_shares: cannot send exactly [x25519]");

  cell.run.client->refused.reset();
  EXPECT_FALSE(refusal_verdict(cell.connection(), cell.wire(), cell.request).has_value());
}

TEST(Refusal, RefusalContradictedByTheWireIsAnError) {
  Cell cell;
  cell.run.client = stopped("client", Stage::configure);
  cell.run.client->refused = ConfigRefusal{"key_shares", "cannot"};
  cell.run.server = stopped("server", Stage::handshake);
  cell.client_bytes = client_hello({kAes128Gcm}, {kTls13}, {kX25519}, {kX25519});
  const auto v = refusal_verdict(cell.connection(), cell.wire(), cell.request);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->status, Status::error);
  EXPECT_NE(v->reason.find("client peer a@host reports it refused key_shares but the wire shows "
                           "its ClientHello"),
            std::string::npos)
      << v->reason;

  cell.client_bytes.clear();
  cell.run.client->refused = ConfigRefusal{"colour", "no such thing"};
  EXPECT_EQ(refusal_verdict(cell.connection(), cell.wire(), cell.request)->status, Status::error);
}

// A server that stops while configuring has no client (PROTOCOL.md "Stages"): its refusal or
// failure is judged from its own result.
TEST(Refusal, ServerStoppedWhileConfiguringIsJudgedWithoutAClient) {
  Cell cell;
  cell.run.client.reset();
  cell.run.server = stopped("server", Stage::configure);
  cell.run.server->refused = ConfigRefusal{"groups", "no group X25519MLKEM768"};
  const auto refused = refusal_verdict(cell.connection(), cell.wire(), cell.request);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, Status::unsupported);
  EXPECT_EQ(refused->reason, "server b@host refused groups: no group X25519MLKEM768");
  EXPECT_FALSE(configure_failure_verdict(cell.connection(), cell.request).has_value());

  cell.run.server->refused.reset();
  cell.run.server->error = "adapter failed while configuring: out of memory";
  EXPECT_FALSE(refusal_verdict(cell.connection(), cell.wire(), cell.request).has_value());
  const auto failed = configure_failure_verdict(cell.connection(), cell.request);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->status, Status::error);
  EXPECT_EQ(failed->reason,
            "the peers' reports cannot be trusted: server peer b@host could not apply its "
            "configuration: adapter failed while configuring: out of memory");
}

}  // namespace
}  // namespace tlsmatrix
