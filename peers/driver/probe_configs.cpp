#include "probe_configs.hpp"

#include "test_pki.hpp"

namespace tlsmatrix::probe {
namespace {

// In memory a handshake takes milliseconds; this only bounds a library that stalls.
constexpr std::uint32_t kTimeoutMs = 2000;

EndpointConfig endpoint(Role role) {
  EndpointConfig config;
  config.role = role;
  config.verify_server = false;
  config.timeout_ms = kTimeoutMs;
  // Application data makes the client read past the handshake, where TLS 1.3 tickets arrive.
  config.send_data = role == Role::client ? "probe client" : "probe server";
  config.expect_data = role == Role::client ? "probe server" : "probe client";
  return config;
}

}  // namespace

ConfigPair cert_pair(const CertifiedKey& server_certificate) {
  ConfigPair pair{endpoint(Role::client), endpoint(Role::server)};
  pair.server.certificate = server_certificate;
  return pair;
}

ConfigPair ecdsa_pair() {
  return cert_pair(test_pki::server_ecdsa());
}

ConfigPair psk_pair(const std::optional<std::vector<std::string>>& modes, const std::string& hash) {
  ConfigPair pair{endpoint(Role::client), endpoint(Role::server)};
  const ExternalPsk psk{"tlsmatrix-probe", std::string(64, '5'), hash};
  pair.client.psks = pair.server.psks = {psk};
  pair.client.psk_modes = pair.server.psk_modes = modes;
  // RFC 8446 §4.2.11: each PSK is associated with a single hash, and "the server MUST ensure
  // that it selects a compatible PSK (if any) and cipher suite". A server that picks its suite
  // first and then looks only for PSKs of that suite's hash (Botan 3) would otherwise show its
  // default suite order here instead of whether it can use an external PSK; the scenarios keep
  // the defaults, where that order shows.
  const std::string suite = hash == "SHA384" ? "TLS_AES_256_GCM_SHA384" : "TLS_AES_128_GCM_SHA256";
  pair.client.cipher_suites = pair.server.cipher_suites = {suite};
  pin_version(pair, "TLSv1.3");
  return pair;
}

void pin_version(ConfigPair& pair, const std::string& version) {
  for (auto* c : {&pair.client, &pair.server}) c->min_version = c->max_version = version;
}

}  // namespace tlsmatrix::probe
