// THE table of facts (fact.hpp). Adding a fact is one row here, plus its row in
// suites/README.md (a unit test checks the two agree) and its use in a suite.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "fact.hpp"
#include "observation_queries.hpp"
#include "tls_registry.hpp"
#include "wire_names.hpp"

namespace tlsmatrix {
namespace {

std::string bool_text(bool b) {
  return b ? "true" : "false";
}

// Where each fact is read from: the wire (nullopt when the relay could not see it) and a
// peer's own report (nullopt when its library cannot tell).
std::optional<std::string> wire_version(const WireObservation& w) {
  if (!w.version) return std::nullopt;
  return version_name(*w.version);
}
std::optional<std::string> peer_version(const HandshakeOutcome& o) {
  return o.version;
}
std::optional<std::string> wire_cipher_suite(const WireObservation& w) {
  if (!w.cipher_suite) return std::nullopt;
  return cipher_suite_name(*w.cipher_suite);
}
std::optional<std::string> peer_cipher_suite(const HandshakeOutcome& o) {
  if (!o.cipher_suite) return std::nullopt;
  return cipher_suite_name(*o.cipher_suite);
}
std::optional<std::string> wire_group(const WireObservation& w) {
  if (!w.group) return std::nullopt;
  return group_name(*w.group);
}
std::optional<std::string> peer_group(const HandshakeOutcome& o) {
  if (!o.group) return std::nullopt;
  return group_name(*o.group);
}
std::optional<std::string> wire_hello_retry_request(const WireObservation& w) {
  if (w.client_hellos.empty()) return std::nullopt;
  return bool_text(w.hello_retry_request);
}
std::optional<std::string> peer_hello_retry_request(const HandshakeOutcome& o) {
  if (!o.hello_retry_request) return std::nullopt;
  return bool_text(*o.hello_retry_request);
}
std::optional<std::string> wire_psk_used(const WireObservation& w) {
  const auto used = psk_used(w);
  if (!used) return std::nullopt;
  return bool_text(*used);
}
std::optional<std::string> peer_psk_used(const HandshakeOutcome& o) {
  return bool_text(o.psk_used);
}
std::optional<std::string> wire_psk_mode(const WireObservation& w) {
  return accepted_psk_mode(w);
}
// The identity at the index the ServerHello selected, of the ClientHello it answers (§4.2.11).
std::optional<std::string> wire_psk_identity(const WireObservation& w) {
  if (w.client_hellos.empty() || w.server_hellos.empty()) return std::nullopt;
  const auto selected = w.server_hellos.back().psk_selected_identity;
  const auto& offered = w.client_hellos.back().psk_identities;
  if (!selected || *selected >= offered.size()) return std::nullopt;
  return offered[*selected];
}
std::optional<std::string> wire_psk_identity_index(const WireObservation& w) {
  if (w.server_hellos.empty() || !w.server_hellos.back().psk_selected_identity) return std::nullopt;
  return std::to_string(*w.server_hellos.back().psk_selected_identity);
}
// The client's psk_key_exchange_modes in wire order, "+"-joined; absent without the extension.
std::optional<std::string> wire_psk_modes_offered(const WireObservation& w) {
  if (w.client_hellos.empty() || w.client_hellos.back().psk_key_exchange_modes.empty())
    return std::nullopt;
  return fmt::format("{}", fmt::join(offered_psk_mode_names(w.client_hellos.back()), "+"));
}
std::optional<std::string> peer_server_certificate(const HandshakeOutcome& o) {
  return bool_text(o.peer_certificate.has_value());
}
std::optional<std::string> wire_cert_with_extern_psk(const WireObservation& w) {
  const auto negotiated = cert_with_extern_psk_negotiated(w);
  if (!negotiated) return std::nullopt;
  return bool_text(*negotiated);
}
std::optional<std::string> peer_resumed(const HandshakeOutcome& o) {
  if (!o.resumed) return std::nullopt;
  return bool_text(*o.resumed);
}
std::optional<std::string> peer_tickets_received(const HandshakeOutcome& o) {
  if (!o.tickets_received) return std::nullopt;
  return std::to_string(*o.tickets_received);
}
std::optional<std::string> wire_client_hello_bytes(const WireObservation& w) {
  if (w.client_hellos.empty()) return std::nullopt;
  return std::to_string(w.client_hellos.front().message_length);
}
std::optional<std::string> wire_client_key_share_bytes(const WireObservation& w) {
  if (w.client_hellos.empty()) return std::nullopt;
  std::size_t total = 0;
  for (const auto& share : w.client_hellos.front().key_shares) total += share.key_exchange_length;
  return std::to_string(total);
}
std::optional<std::string> wire_server_key_share_bytes(const WireObservation& w) {
  if (w.server_hellos.empty() || !w.server_hellos.back().key_share_length) return std::nullopt;
  return std::to_string(*w.server_hellos.back().key_share_length);
}

std::optional<std::string> wire_downgrade_sentinel(const WireObservation& w) {
  return downgrade_sentinel(w);
}
std::optional<std::string> wire_client_answered_server_hello(const WireObservation& w) {
  const auto answered = client_answered_server_hello(w);
  if (!answered) return std::nullopt;
  return bool_text(*answered);
}

constexpr const char* kUnknown = "unknown";

// clang-format off
const std::array kFacts = {
  FactDefinition{.fact = Fact::handshake, .name = "handshake", .kind = ValueKind::outcome,
    .merge = Merge::peers_outcome, .from_wire = nullptr, .from_peer = nullptr,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`success` (both sides completed and verified each other's application data) or "
              "`refused`; `stalled` (a side waited out its timeout) can be observed but never "
              "expected",
    .read_from = "both peers"},
  FactDefinition{.fact = Fact::version, .name = "version", .kind = ValueKind::version,
    .merge = Merge::wire_then_peers, .from_wire = wire_version, .from_peer = peer_version,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`TLSv1.2`, `TLSv1.3`",
    .read_from = "ServerHello on the wire, else the peers"},
  FactDefinition{.fact = Fact::cipher_suite, .name = "cipher_suite", .kind = ValueKind::cipher_suite,
    .merge = Merge::wire_then_peers, .from_wire = wire_cipher_suite, .from_peer = peer_cipher_suite,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "IANA name",
    .read_from = "ServerHello on the wire, else the peers"},
  FactDefinition{.fact = Fact::group, .name = "group", .kind = ValueKind::group,
    .merge = Merge::wire_then_peers, .from_wire = wire_group, .from_peer = peer_group,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "IANA group name",
    .read_from = "ServerHello key_share (TLS 1.3) or ServerKeyExchange (TLS 1.2 ECDHE) on the "
                 "wire, else the peers"},
  FactDefinition{.fact = Fact::hello_retry_request, .name = "hello_retry_request",
    .kind = ValueKind::boolean, .merge = Merge::wire_then_peers,
    .from_wire = wire_hello_retry_request, .from_peer = peer_hello_retry_request,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`true`, `false`",
    .read_from = "the wire (and the peers, which must agree)"},
  FactDefinition{.fact = Fact::alert, .name = "alert", .kind = ValueKind::alert,
    .merge = Merge::alerts_per_sender, .from_wire = nullptr, .from_peer = nullptr,
    .use = FactUse::expect_only, .absent = "no alert",
    .values = "alert names",
    .read_from = "the sender's report, the receiver's report and plaintext alert records"},
  FactDefinition{.fact = Fact::psk_used, .name = "psk_used", .kind = ValueKind::boolean,
    .merge = Merge::wire_then_peers, .from_wire = wire_psk_used, .from_peer = peer_psk_used,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`true`, `false`",
    .read_from = "ServerHello pre_shared_key (TLS 1.3) or a PSK cipher suite (TLS 1.2) on the "
                 "wire (and the peers, which must agree)"},
  FactDefinition{.fact = Fact::psk_mode, .name = "psk_mode", .kind = ValueKind::psk_mode,
    .merge = Merge::wire_only, .from_wire = wire_psk_mode, .from_peer = nullptr,
    .use = FactUse::expect_and_record, .absent = "none",
    .values = "`psk_ke`, `psk_dhe_ke`, `none` (no PSK accepted, or no ServerHello)",
    .read_from = "ServerHello: pre_shared_key with or without key_share"},
  FactDefinition{.fact = Fact::psk_identity, .name = "psk_identity", .kind = ValueKind::text,
    .merge = Merge::wire_only, .from_wire = wire_psk_identity, .from_peer = nullptr,
    .use = FactUse::expect_and_record, .absent = "none",
    .values = "the identity as configured",
    .read_from = "the ClientHello identity that ServerHello pre_shared_key selects"},
  FactDefinition{.fact = Fact::psk_identity_index, .name = "psk_identity_index",
    .kind = ValueKind::count, .merge = Merge::wire_only,
    .from_wire = wire_psk_identity_index, .from_peer = nullptr,
    .use = FactUse::expect_and_record, .absent = "none",
    .values = "0, 1, ...",
    .read_from = "ServerHello pre_shared_key: selected_identity, an index into the client's list"},
  FactDefinition{.fact = Fact::psk_modes_offered, .name = "psk_modes_offered",
    .kind = ValueKind::psk_modes, .merge = Merge::wire_only,
    .from_wire = wire_psk_modes_offered, .from_peer = nullptr,
    .use = FactUse::expect_and_record, .absent = "none",
    .values = "`psk_dhe_ke`, `psk_ke`, `psk_dhe_ke+psk_ke`, `psk_ke+psk_dhe_ke` (wire order)",
    .read_from = "the ClientHello the server answered: psk_key_exchange_modes"},
  FactDefinition{.fact = Fact::server_certificate, .name = "server_certificate",
    .kind = ValueKind::boolean, .merge = Merge::client_report,
    .from_wire = nullptr, .from_peer = peer_server_certificate,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`true`, `false`",
    .read_from = "the client's report, once its handshake completed: whether the server sent it a "
                 "certificate in this handshake (TLS 1.3 encrypts it; a resumed one carries none)"},
  FactDefinition{.fact = Fact::cert_with_extern_psk, .name = "cert_with_extern_psk",
    .kind = ValueKind::boolean, .merge = Merge::wire_only,
    .from_wire = wire_cert_with_extern_psk, .from_peer = nullptr,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`true`, `false`",
    .read_from = "ServerHello: tls_cert_with_extern_psk (RFC 9973) together with pre_shared_key"},
  FactDefinition{.fact = Fact::resumed, .name = "resumed",
    .kind = ValueKind::boolean, .merge = Merge::wire_then_peers,
    .from_wire = nullptr, .from_peer = peer_resumed,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`true`, `false`",
    .read_from = "the peers' libraries, which must agree: whether the handshake resumed a session "
                 "(a ticket and an external PSK look alike on the wire)"},
  FactDefinition{.fact = Fact::tickets_received, .name = "tickets_received",
    .kind = ValueKind::count, .merge = Merge::client_report,
    .from_wire = nullptr, .from_peer = peer_tickets_received,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "0, 1, ...",
    .read_from = "the client's report, once its handshake completed: NewSessionTicket messages "
                 "its library received on the connection (TLS 1.3 encrypts them)"},
  FactDefinition{.fact = Fact::client_hello_bytes, .name = "client_hello_bytes",
    .kind = ValueKind::count, .merge = Merge::wire_only,
    .from_wire = wire_client_hello_bytes, .from_peer = nullptr,
    .use = FactUse::record_only, .absent = kUnknown,
    .values = "bytes",
    .read_from = "the first ClientHello on the wire: its handshake body length"},
  FactDefinition{.fact = Fact::client_key_share_bytes, .name = "client_key_share_bytes",
    .kind = ValueKind::count, .merge = Merge::wire_only,
    .from_wire = wire_client_key_share_bytes, .from_peer = nullptr,
    .use = FactUse::record_only, .absent = kUnknown,
    .values = "bytes",
    .read_from = "the first ClientHello on the wire: the key_exchange bytes of all its key shares"},
  FactDefinition{.fact = Fact::server_key_share_bytes, .name = "server_key_share_bytes",
    .kind = ValueKind::count, .merge = Merge::wire_only,
    .from_wire = wire_server_key_share_bytes, .from_peer = nullptr,
    .use = FactUse::record_only, .absent = kUnknown,
    .values = "bytes",
    .read_from = "the ServerHello on the wire: the key_exchange bytes of its key share"},
  FactDefinition{.fact = Fact::downgrade_sentinel, .name = "downgrade_sentinel",
    .kind = ValueKind::sentinel, .merge = Merge::wire_only,
    .from_wire = wire_downgrade_sentinel, .from_peer = nullptr,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`tls1.2`, `tls1.1_or_below`, `none`",
    .read_from = "the ServerHello the server sent: the last 8 bytes of its random (RFC 8446 §4.1.3)"},
  FactDefinition{.fact = Fact::client_answered_server_hello, .name = "client_answered_server_hello",
    .kind = ValueKind::boolean, .merge = Merge::wire_only,
    .from_wire = wire_client_answered_server_hello, .from_peer = nullptr,
    .use = FactUse::expect_and_record, .absent = kUnknown,
    .values = "`true`, `false`",
    .read_from = "what the client sent after the ServerHello: a handshake message after its last "
                 "ClientHello or a protected record (`false`: it stopped at the ServerHello)"},
};
// clang-format on

bool is_count(const std::string& v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::span<const FactDefinition> fact_table() {
  return kFacts;
}

const FactDefinition& definition(Fact fact) {
  return *std::find_if(kFacts.begin(), kFacts.end(), [&](const auto& f) { return f.fact == fact; });
}

const char* fact_name(Fact fact) {
  return definition(fact).name;
}

std::optional<Fact> fact_by_name(const std::string& name) {
  const auto it =
      std::find_if(kFacts.begin(), kFacts.end(), [&](const auto& f) { return name == f.name; });
  if (it == kFacts.end()) return std::nullopt;
  return it->fact;
}

std::string fact_names() {
  std::string out;
  for (const auto& f : kFacts) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

bool valid_fact_value(Fact fact, const std::string& v) {
  switch (definition(fact).kind) {
    case ValueKind::outcome:
      return v == "success" || v == "refused";
    case ValueKind::version:
      return version_by_name(v).has_value();
    case ValueKind::cipher_suite:
      return cipher_suite_by_name(v).has_value();
    case ValueKind::group:
      return group_by_name(v).has_value();
    case ValueKind::alert:
      return alert_by_name(v).has_value();
    case ValueKind::boolean:
      return v == "true" || v == "false";
    case ValueKind::count:
      return is_count(v);
    case ValueKind::psk_mode:  // "none": no PSK accepted, a check that holds for a refusal too
      return v == "psk_ke" || v == "psk_dhe_ke" || v == "none";
    case ValueKind::psk_modes:
      return v == "psk_ke" || v == "psk_dhe_ke" || v == "psk_dhe_ke+psk_ke" ||
             v == "psk_ke+psk_dhe_ke";
    case ValueKind::text:
      return !v.empty();
    case ValueKind::sentinel:
      return v == "tls1.2" || v == "tls1.1_or_below" || v == "none";
  }
  return false;
}

nlohmann::json fact_json(Fact fact, const std::string& text) {
  const auto& d = definition(fact);
  if (text == d.absent) return nullptr;
  if (d.kind == ValueKind::boolean) return text == "true";
  if (d.kind == ValueKind::count && is_count(text)) return std::stoull(text);
  return text;
}

}  // namespace tlsmatrix
