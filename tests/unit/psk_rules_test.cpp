// The PSK suite's mode scenarios against an independent model of RFC 8446 §4.1.1, §4.2.9 and
// §4.2.11: for every client modes x server modes x certificate or not, each thing a server could
// do is turned into cell facts and judged by the shipped suite. What the RFC allows must pass
// (or be a deviation where it says SHOULD); what it forbids must fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "scenario_loader.hpp"
#include "test_pki.hpp"
#include "verdict.hpp"

namespace tlsmatrix {
namespace {

using Modes = std::vector<std::string>;

const std::vector<std::pair<std::string, Modes>> kModeSets = {
    {"dhe", {"psk_dhe_ke"}}, {"ke", {"psk_ke"}}, {"both", {"psk_dhe_ke", "psk_ke"}}};

const Suite& psk_suite() {
  static const auto suites =
      load_suites(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites",
                  TestPki{std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites" / "pki"}, {"psk"});
  return suites.at(0);
}

const Scenario& mode_scenario(const std::string& client, const std::string& server, bool cert) {
  const auto id = "modes-client-" + client + "-server-" + server + (cert ? "-certificate" : "");
  const auto& list = psk_suite().scenarios;
  const auto it = std::find_if(list.begin(), list.end(), [&](const auto& s) { return s.id == id; });
  if (it == list.end()) throw std::runtime_error("no scenario " + id);
  return *it;
}

bool has(const Modes& modes, const std::string& m) {
  return std::find(modes.begin(), modes.end(), m) != modes.end();
}

// What a server did, as the wire and the client would show it.
struct Behaviour {
  std::string name;
  CellFacts facts;
};

Behaviour psk_handshake(const std::string& mode) {
  CellFacts f;
  f.handshake = HandshakeResult::success;
  f.values = {
      {Fact::psk_used, "true"}, {Fact::psk_mode, mode}, {Fact::server_certificate, "false"}};
  return {"completes with the PSK in " + mode, f};
}

Behaviour certificate_handshake() {
  CellFacts f;
  f.handshake = HandshakeResult::success;
  f.values = {{Fact::psk_used, "false"}, {Fact::server_certificate, "true"}};
  return {"completes a full certificate handshake", f};
}

Behaviour abort_with(const std::string& alert) {
  CellFacts f;
  f.handshake = HandshakeResult::refused;
  f.alerts_from_server = {alert};
  return {"aborts with " + alert, f};
}

// The server's ServerHello selects the PSK in `mode`; the client then aborts.
Behaviour selects_then_client_aborts(const std::string& mode) {
  CellFacts f;
  f.handshake = HandshakeResult::refused;
  f.values = {{Fact::psk_used, "true"}, {Fact::psk_mode, mode}};
  f.alerts_from_client = {"illegal_parameter"};
  return {"selects the PSK in " + mode + " and the client aborts", f};
}

// The model: which status each behaviour must get, from the RFC's text alone.
Status required_status(const Modes& client, const Modes& server, bool cert, const Behaviour& b) {
  Modes common;
  for (const auto& m : client)
    if (has(server, m)) common.push_back(m);
  const auto mode = b.facts.value(Fact::psk_mode);
  const bool psk_selected = b.facts.value(Fact::psk_used) == "true";
  // §4.2.9: never a mode the client did not list; nor one the server's configuration excludes.
  if (psk_selected && (!mode || !has(common, *mode))) return Status::fail;
  if (b.facts.handshake == HandshakeResult::success) return Status::pass;
  if (psk_selected) return Status::fail;     // a legal selection that the client then aborted
  if (!common.empty()) return Status::fail;  // both hold the PSK and a mode: it must complete
  // No common mode: without a certificate nothing can be negotiated (§4.1.1), so an abort with
  // handshake_failure or insufficient_security passes; with one, §4.2.11 says the server SHOULD
  // do a full handshake, so an abort is a deviation.
  if (cert) return Status::deviation;
  const auto& alerts = b.facts.alerts_from_server;
  const bool named = std::any_of(alerts.begin(), alerts.end(), [](const auto& a) {
    return a == "handshake_failure" || a == "insufficient_security";
  });
  return named ? Status::pass : Status::deviation;
}

TEST(PskRules, EveryModeCombinationWithAndWithoutCertificate) {
  int judged = 0, failing = 0;
  for (const auto& [client_name, client] : kModeSets)
    for (const auto& [server_name, server] : kModeSets)
      for (const bool cert : {false, true}) {
        const auto& scenario = mode_scenario(client_name, server_name, cert);
        ASSERT_EQ(scenario.client.psk_modes, client) << scenario.id;
        ASSERT_EQ(scenario.server.psk_modes, server) << scenario.id;
        ASSERT_EQ(scenario.server.certificate.has_value(), cert) << scenario.id;
        std::vector<Behaviour> behaviours = {psk_handshake("psk_dhe_ke"),
                                             psk_handshake("psk_ke"),
                                             abort_with("handshake_failure"),
                                             abort_with("decrypt_error"),
                                             selects_then_client_aborts("psk_dhe_ke"),
                                             selects_then_client_aborts("psk_ke")};
        if (cert) behaviours.push_back(certificate_handshake());
        for (const auto& b : behaviours) {
          const auto want = required_status(client, server, cert, b);
          const auto got = judge(scenario, b.facts);
          EXPECT_EQ(status_name(got.status), std::string(status_name(want)))
              << scenario.id << ": the server " << b.name << "; reason: " << got.reason;
          ++judged;
          failing += want == Status::fail;
        }
      }
  // 18 scenarios, 6 or 7 behaviours each; the forbidden ones are there too.
  EXPECT_EQ(judged, 9 * (6 + 7));
  EXPECT_GT(failing, 40);
}

TEST(PskRules, CompletedHandshakesGetARankedSecurityNote) {
  const auto note = [](std::map<Fact, std::string> values) {
    CellFacts f;
    f.handshake = HandshakeResult::success;
    f.values = std::move(values);
    f.values.emplace(Fact::version, "TLSv1.3");
    return security_note(f);
  };
  const auto psk_ke = note({{Fact::psk_used, "true"}, {Fact::psk_mode, "psk_ke"}});
  const auto psk_dhe = note({{Fact::psk_used, "true"}, {Fact::group, "x25519"}});
  const auto classical = note({{Fact::psk_used, "false"}, {Fact::group, "x25519"}});
  const auto hybrid = note({{Fact::psk_used, "false"}, {Fact::group, "X25519MLKEM768"}});
  const auto rfc9973 = note({{Fact::psk_used, "true"},
                             {Fact::cert_with_extern_psk, "true"},
                             {Fact::group, "X25519MLKEM768"}});
  ASSERT_TRUE(psk_ke && psk_dhe && classical && hybrid && rfc9973);
  EXPECT_EQ(psk_ke->text, "psk_ke: no forward secrecy, no certificate authentication");
  EXPECT_NE(psk_ke->cite.find("RFC 8446 §2.2"), std::string::npos);
  EXPECT_EQ(classical->text, "classical (EC)DHE + certificate: not quantum-resistant");
  EXPECT_EQ(hybrid->text, "hybrid ML-KEM + certificate");
  EXPECT_EQ(rfc9973->text, "RFC 9973: certificate + PSK + hybrid ML-KEM");
  EXPECT_LT(psk_ke->rank, psk_dhe->rank);
  EXPECT_LT(psk_dhe->rank, classical->rank);
  EXPECT_LT(classical->rank, hybrid->rank);
  EXPECT_LT(hybrid->rank, rfc9973->rank);
  CellFacts refused;
  EXPECT_FALSE(security_note(refused).has_value());
}

}  // namespace
}  // namespace tlsmatrix
