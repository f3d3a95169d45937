#include "openssl_capabilities.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <algorithm>
#include <string>
#include <vector>

#include "legacy_capabilities.hpp"
#include "openssl_handles.hpp"
#include "openssl_names.hpp"
#include "openssl_probe.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::openssl {
namespace {

constexpr std::string_view kProbeHost = "probe.tlsmatrix.invalid";

std::vector<std::string> supported_groups() {
  std::vector<std::string> out;
  SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  for (const auto& g : known_groups())
    if (ctx && SSL_CTX_set1_groups_list(ctx.get(), openssl_group_name(g.name).c_str()) == 1)
      out.emplace_back(g.name);
  ERR_clear_error();
  return out;
}

std::vector<std::string> supported_cipher_suites() {
  std::vector<std::string> out;
  for (const auto& suite : known_cipher_suites()) {
    if (!suite.tls13) {
      if (openssl_tls12_cipher_name(suite.name)) out.emplace_back(suite.name);
      continue;
    }
    // TLS 1.3 suites are accepted by name; it counts only if the suite then is in the list.
    SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
    if (!ctx || SSL_CTX_set_ciphersuites(ctx.get(), std::string(suite.name).c_str()) != 1) continue;
    const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i)
      if (SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(ciphers, i)) == suite.code) {
        out.emplace_back(suite.name);
        break;
      }
  }
  ERR_clear_error();
  return out;
}

EndpointConfig base(Role role) {
  EndpointConfig config;
  config.role = role;
  config.verify_server = false;
  return config;
}

// A certificate-authenticated pair, the server presenting `cert`.
std::pair<EndpointConfig, EndpointConfig> cert_pair(const CertifiedKey& cert) {
  auto client = base(Role::client);
  auto server = base(Role::server);
  server.certificate = cert;
  return {client, server};
}

// A PSK-only pair (no certificates anywhere).
std::pair<EndpointConfig, EndpointConfig> psk_pair(std::vector<std::string> modes) {
  auto client = base(Role::client);
  auto server = base(Role::server);
  ExternalPsk psk{"tlsmatrix-probe", std::string(64, 'a'), "SHA256", std::move(modes)};
  client.psk = server.psk = psk;
  client.min_version = server.min_version = "TLSv1.3";
  return {client, server};
}

bool psk_mode_negotiated(const MemoryHandshake& hs, const char* mode) {
  return hs.client_ok && hs.server_ok && hs.client.psk_used && hs.server.psk_used &&
         hs.client.psk_mode == mode && hs.server.psk_mode == mode;
}

struct Probe {
  CertifiedKey cert = make_self_signed(kProbeHost);
  std::vector<std::string> groups = supported_groups();

  std::vector<std::string> versions() const {
    std::vector<std::string> out;
    for (const auto& v : known_versions()) {
      auto [client, server] = cert_pair(cert);
      client.min_version = client.max_version = server.min_version = server.max_version = v.name;
      const auto hs = handshake_in_memory(client, server);
      if (hs.client_ok && hs.server_ok && hs.client.version == v.name) out.emplace_back(v.name);
    }
    return out;
  }

  bool psk_dhe_ke() const {
    auto [client, server] = psk_pair({"psk_dhe_ke"});
    return psk_mode_negotiated(handshake_in_memory(client, server), "psk_dhe_ke");
  }

  // Whether both ends can complete psk_ke. The server is left without a usable group, the
  // one situation in which every OpenSSL release must fall back to psk_ke.
  bool psk_ke() const {
    if (groups.size() < 2) return false;
    auto [client, server] = psk_pair({"psk_dhe_ke", "psk_ke"});
    client.groups = {groups[0]};
    server.groups = {groups[1]};
    return psk_mode_negotiated(handshake_in_memory(client, server), "psk_ke");
  }

  // A share for the first group only, the other groups offered without one: what every
  // release can express, and what a HelloRetryRequest scenario needs.
  bool key_share_first_group() const {
    if (groups.size() < 2) return false;
    auto [client, server] = cert_pair(cert);
    client.groups = {groups[0], groups[1]};
    client.key_shares = std::vector<std::string>{groups[0]};
    const auto hs = handshake_in_memory(client, server);
    return hs.client_ok && hs.server_ok;
  }

  // Key shares for a non-first group and for two groups at once: what 3.0 cannot express.
  bool key_share_selection() const {
    if (groups.size() < 2) return false;
    const std::vector<std::vector<std::string>> requests = {{groups[1]}, {groups[0], groups[1]}};
    for (const auto& shares : requests) {
      auto [client, server] = cert_pair(cert);
      client.groups = {groups[0], groups[1]};
      client.key_shares = shares;
      const auto hs = handshake_in_memory(client, server);
      if (!hs.client_ok || !hs.server_ok) return false;
    }
    return true;
  }

  // Client order [A, B] against server order [B, A], both ways round.
  bool server_preference(const std::vector<std::string>& suites) const {
    std::vector<std::string> tls13;
    for (const auto& s : suites)
      if (const auto info = cipher_suite_by_name(s); info && info->tls13) tls13.push_back(s);
    if (tls13.size() < 2) return false;
    for (const bool prefer_server : {true, false}) {
      auto [client, server] = cert_pair(cert);
      client.cipher_suites = {tls13[0], tls13[1]};
      server.cipher_suites = {tls13[1], tls13[0]};
      server.server_preference = prefer_server;
      const auto hs = handshake_in_memory(client, server);
      const auto expected = cipher_suite_by_name(prefer_server ? tls13[1] : tls13[0])->code;
      if (!hs.client_ok || hs.client.cipher_suite != expected) return false;
    }
    return true;
  }

  bool session_tickets() const {
    for (const bool on : {true, false}) {
      auto [client, server] = cert_pair(cert);
      client.session_tickets = server.session_tickets = on;
      const auto hs = handshake_in_memory(client, server);
      if (!hs.client_ok || (hs.tickets_received > 0) != on) return false;
    }
    return true;
  }

  bool keylog() const {
    auto [client, server] = cert_pair(cert);
    client.keylog = server.keylog = true;
    const auto hs = handshake_in_memory(client, server);
    return hs.client_ok && !hs.client.keylog.empty() && !hs.server.keylog.empty();
  }

  // The right name passes and a wrong one fails, with the certificate otherwise trusted.
  bool hostname_verification() const {
    for (const bool right : {true, false}) {
      auto [client, server] = cert_pair(cert);
      client.verify_server = true;
      client.trust_anchors_pem = cert.chain_pem;
      client.server_name = right ? std::string(kProbeHost) : "other.tlsmatrix.invalid";
      if (handshake_in_memory(client, server).client_ok != right) return false;
    }
    return true;
  }

  // Required and presented passes; required and missing fails.
  bool client_certificates() const {
    for (const bool present : {true, false}) {
      auto [client, server] = cert_pair(cert);
      server.require_client_certificate = true;
      server.trust_anchors_pem = cert.chain_pem;
      if (present) client.certificate = cert;
      const auto hs = handshake_in_memory(client, server);
      if (hs.server_ok != present || (present && !hs.server.peer_certificate)) return false;
    }
    return true;
  }

  bool hello_retry_request_report() const {
    if (groups.size() < 2) return false;
    auto [client, server] = cert_pair(cert);
    client.groups = {groups[0], groups[1]};
    server.groups = {groups[1]};
    const auto hs = handshake_in_memory(client, server);
    return hs.client_ok && hs.server_ok && hs.client.hello_retry_request == true &&
           hs.server.hello_retry_request == true;
  }
};

}  // namespace

Capabilities probe_capabilities() {
  Capabilities caps;
  LegacyLists legacy;
  caps.stack = "openssl";
  caps.library = "OpenSSL";
  caps.version = OpenSSL_version(OPENSSL_VERSION_STRING);
  caps.version_text = OpenSSL_version(OPENSSL_VERSION);
  const Probe probe;
  legacy.groups = probe.groups;
  legacy.cipher_suites = supported_cipher_suites();
  legacy.versions = probe.versions();
  const bool dhe_ke = probe.psk_dhe_ke();
  if (dhe_ke) legacy.psk_modes.emplace_back("psk_dhe_ke");
  if (probe.psk_ke()) legacy.psk_modes.emplace_back("psk_ke");

  const std::pair<const char*, bool> features[] = {
      {"key_share_selection", probe.key_share_selection()},
      {"key_share_first_group", probe.key_share_first_group()},
      {"server_preference", probe.server_preference(legacy.cipher_suites)},
      {"external_psk", dhe_ke},
      {"session_tickets", probe.session_tickets()},
      {"keylog", probe.keylog()},
      {"hostname_verification", probe.hostname_verification()},
      {"client_certificates", probe.client_certificates()},
      {"hello_retry_request_report", probe.hello_retry_request_report()},
  };
  for (const auto& [name, works] : features)
    if (works) legacy.features.emplace_back(name);
  ERR_clear_error();
  apply_legacy_lists(caps, legacy);
  return caps;
}

}  // namespace tlsmatrix::openssl
