// Which scenarios a running server (certify --server) takes part in: only those whose server
// side the client's offer decides (running_server_fit.hpp).
#include "running_server_fit.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_pki.hpp"

namespace tlsmatrix {
namespace {

const TestPki kPki(std::filesystem::path(TLSMATRIX_SOURCE_DIR) / "suites/pki");

RunningServer serving_default_certificate() {
  RunningServer server;
  server.host = "127.0.0.1";
  server.port = 4433;
  server.certificate_chain_pem = kPki.certified_key("server-ecdsa-p256").chain_pem;
  return server;
}

Scenario plain() {
  Scenario s;
  s.id = "plain";
  s.server.role = Role::server;
  s.server.certificate = kPki.certified_key("server-ecdsa-p256");
  return s;
}

std::string obstacle(const Scenario& s) {
  return running_server_obstacle(s, serving_default_certificate()).value_or("");
}

TEST(RunningServerFit, AnUnconfiguredServerFits) {
  EXPECT_EQ(obstacle(plain()), "");
}

TEST(RunningServerFit, PskAndTicketsAndClientCertificatesDoNot) {
  auto psk = plain();
  psk.server.psks.push_back({"id", "00112233445566778899aabbccddeeff"});
  EXPECT_NE(obstacle(psk).find("external PSK"), std::string::npos);
  auto modes = plain();
  modes.server.psk_modes = std::vector<std::string>{"psk_dhe_ke"};
  EXPECT_NE(obstacle(modes).find("PSK"), std::string::npos);
  auto resumption = plain();
  resumption.client.connections = resumption.server.connections = 2;
  EXPECT_NE(obstacle(resumption).find("more than one connection"), std::string::npos);
  auto mutual = plain();
  mutual.server.require_client_certificate = true;
  EXPECT_NE(obstacle(mutual).find("client certificate"), std::string::npos);
}

TEST(RunningServerFit, AnotherCertificateDoesNot) {
  auto rsa = plain();
  rsa.server.certificate = kPki.certified_key("server-rsa-2048");
  EXPECT_NE(obstacle(rsa).find("another certificate"), std::string::npos);
}

TEST(RunningServerFit, VersionsFitOnlyWhenTheClientDecides) {
  auto both13 = plain();
  both13.client.min_version = both13.server.min_version = "TLSv1.3";
  EXPECT_EQ(obstacle(both13), "");
  // A TLS 1.3-only server against a 1.2+1.3 client: an unconfigured server would also take
  // 1.2 (say, when an attacker removes supported_versions).
  auto server13 = plain();
  server13.server.min_version = "TLSv1.3";
  EXPECT_NE(obstacle(server13).find("TLSv1.3..TLSv1.3"), std::string::npos);
  auto server12 = plain();
  server12.server.max_version = "TLSv1.2";
  EXPECT_NE(obstacle(server12), "");
}

TEST(RunningServerFit, GroupsAndSuitesFitOnlyWhenTheClientOffersOneTheServerHas) {
  auto one = plain();
  one.client.groups = {"X25519MLKEM768"};
  one.server.groups = {"X25519MLKEM768", "x25519"};
  EXPECT_EQ(obstacle(one), "");
  auto choice = plain();
  choice.client.groups = {"X25519MLKEM768", "x25519"};
  choice.server.groups = {"X25519MLKEM768", "x25519"};
  EXPECT_NE(obstacle(choice).find("leaves to the server"), std::string::npos);
  auto library_default = plain();
  library_default.server.groups = {"x25519"};
  EXPECT_NE(obstacle(library_default), "");
  auto suite = plain();
  suite.client.cipher_suites = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};
  suite.server.cipher_suites = {"TLS_AES_128_GCM_SHA256"};
  EXPECT_NE(obstacle(suite).find("cipher suites"), std::string::npos);
  auto preference = plain();
  preference.server.server_preference = true;
  EXPECT_NE(obstacle(preference).find("preference"), std::string::npos);
}

}  // namespace
}  // namespace tlsmatrix
