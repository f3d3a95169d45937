#include "protocol_json.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace tlsmatrix {
namespace {

TEST(ProtocolJson, EndpointConfigRoundTrips) {
  EndpointConfig c;
  c.role = Role::server;
  c.groups = {"X25519MLKEM768", "x25519"};
  c.key_shares = std::vector<std::string>{"X25519MLKEM768"};
  c.psks = {ExternalPsk{"id", "00ff", "SHA384"},
            ExternalPsk{std::string("\0\xff", 2), "01", "SHA256"}};
  c.psk_modes = std::vector<std::string>{"psk_ke"};
  c.cert_with_extern_psk = true;
  c.fallback_scsv = true;
  c.server_preference = false;
  c.timeout_ms = 1234;
  const auto back = endpoint_config_from_json(to_json(c));
  EXPECT_EQ(back.role, Role::server);
  EXPECT_EQ(back.groups, c.groups);
  EXPECT_EQ(back.key_shares, c.key_shares);
  EXPECT_EQ(back.psks, c.psks);  // the binary identity travels as identity_hex
  EXPECT_EQ(to_json(c)["psks"][1]["identity_hex"], "00ff");
  EXPECT_EQ(back.psk_modes, c.psk_modes);
  EXPECT_TRUE(back.cert_with_extern_psk);
  EXPECT_TRUE(back.fallback_scsv);
  EXPECT_FALSE(endpoint_config_from_json(nlohmann::json::object()).fallback_scsv);
  EXPECT_FALSE(endpoint_config_from_json(nlohmann::json::object()).psk_modes.has_value());
  EXPECT_EQ(back.server_preference, std::optional<bool>(false));
  EXPECT_EQ(back.timeout_ms, 1234u);
}

TEST(ProtocolJson, RejectsUnknownKeysAndBadValuesByName) {
  const auto message = [](const nlohmann::json& j) {
    try {
      endpoint_config_from_json(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({{"grups", nlohmann::json::array()}}), "config: unknown key 'grups'");
  EXPECT_NE(message({{"groups", {"x25519", "nope"}}}).find("config.groups: unknown group 'nope'"),
            std::string::npos);
  EXPECT_NE(message({{"connect_host", "10.0.0.1"}}).find("only 127.0.0.1 and ::1"),
            std::string::npos);
  EXPECT_NE(message({{"psks", {{{"identity", "a"}, {"secret_hex", "0g"}}}}}).find("hex"),
            std::string::npos);
  EXPECT_NE(message({{"psks", {{{"identity", "a"}, {"identity_hex", "61"}, {"secret_hex", "00"}}}}})
                .find("not both"),
            std::string::npos);
  EXPECT_NE(message({{"psks",
                      {{{"identity", "a"}, {"secret_hex", "00"}},
                       {{"identity_hex", "61"}, {"secret_hex", "01"}}}}})
                .find("listed twice"),
            std::string::npos);
  EXPECT_NE(message({{"psk_modes", nlohmann::json::array()}}).find("null"), std::string::npos);
  EXPECT_NE(message({{"psk_modes", {"psk_ke", "psk_ke"}}}).find("twice"), std::string::npos);
  EXPECT_NE(message({{"timeout_ms", 0}}).find("config.timeout_ms"), std::string::npos);
  EXPECT_NE(
      message({{"fallback_scsv", "yes"}}).find("config.fallback_scsv: expected true or false"),
      std::string::npos);
}

TEST(ProtocolJson, OutcomeRoundTripsWithNames) {
  HandshakeOutcome o;
  o.role = "client";
  o.stage = Stage::handshake;
  o.version = "TLSv1.3";
  o.group = 0x11EC;
  o.cipher_suite = 0x1301;
  o.alert_received = Alert{40, "handshake_failure", true};
  const auto j = to_json(o);
  EXPECT_EQ(j["group"]["name"], "X25519MLKEM768");
  EXPECT_EQ(j["cipher_suite"]["name"], "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(j["stage"], "handshake");
  const auto back = outcome_from_json(j);
  EXPECT_EQ(back.stage, Stage::handshake);
  EXPECT_EQ(back.group, std::optional<std::uint16_t>(0x11EC));
  ASSERT_TRUE(back.alert_received.has_value());
  EXPECT_EQ(back.alert_received->name, "handshake_failure");
  EXPECT_FALSE(back.alert_sent.has_value());
}

// `library_file` is an optional addition within protocol 2: a peer that does not know it
// leaves it out, one that cannot tell says null, and both read back as unknown (empty).
TEST(ProtocolJson, CapabilitiesLibraryFileIsOptional) {
  Capabilities c;
  c.stack = "exampletls";
  c.library = "ExampleTLS";
  c.version = "4.2.1";
  EXPECT_TRUE(to_json(c)["library_file"].is_null());
  c.library_file = "/usr/lib/x86_64-linux-gnu/libexampletls.so.4";
  const auto j = to_json(c);
  EXPECT_EQ(capabilities_from_json(j).library_file, c.library_file);
  auto older = j;
  older.erase("library_file");
  EXPECT_EQ(capabilities_from_json(older).library_file, "");
  older["library_file"] = nullptr;
  EXPECT_EQ(capabilities_from_json(older).library_file, "");
}

// `serve` (protocol 6) is optional: a peer without --serve may leave it out, which reads as
// false; a value of the wrong type is an error naming the field, as for the other fields.
TEST(ProtocolJson, CapabilitiesServeIsOptional) {
  Capabilities c;
  c.stack = "exampletls";
  c.library = "ExampleTLS";
  c.version = "4.2.1";
  EXPECT_EQ(to_json(c)["serve"], false);
  c.serve = true;
  const auto j = to_json(c);
  EXPECT_EQ(j["serve"], true);
  EXPECT_TRUE(capabilities_from_json(j).serve);
  auto older = j;
  older.erase("serve");
  EXPECT_FALSE(capabilities_from_json(older).serve);
  older["serve"] = "yes";
  try {
    capabilities_from_json(older);
    ADD_FAILURE() << "a string for serve was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'serve' has the wrong type"), std::string::npos)
        << e.what();
  }
}

// The one reader of capabilities (runner, check-peer, --server-capabilities) requires what
// PROTOCOL.md does not call optional: an answer without "groups" is refused by name, not
// read as a stack without groups.
TEST(ProtocolJson, CapabilitiesRequireEveryFieldButTheOptionalOnes) {
  Capabilities c;
  c.stack = "exampletls";
  c.library = "ExampleTLS";
  c.version = "4.2.1";
  const auto j = to_json(c);
  EXPECT_NO_THROW(capabilities_from_json(j));
  const auto refusal = [](nlohmann::json broken) {
    try {
      capabilities_from_json(broken);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  for (const char* key : {"version_text", "versions", "groups", "cipher_suites",
                          "default_key_shares", "psk", "features"}) {
    auto broken = j;
    broken.erase(key);
    EXPECT_EQ(refusal(broken), fmt::format("'{}' is missing", key));
  }
  auto no_hashes = j;
  no_hashes["psk"].erase("hashes");
  EXPECT_EQ(refusal(no_hashes), "'psk.hashes' is missing");
  // A field of the wrong type is named before a missing one.
  auto both = j;
  both.erase("groups");
  both["versions"] = nlohmann::json::array({"TLSv1.3"});
  EXPECT_EQ(refusal(both), "versions: expected an object");
}

}  // namespace
}  // namespace tlsmatrix
