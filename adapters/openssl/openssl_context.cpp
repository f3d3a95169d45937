#include "openssl_context.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "openssl_errors.hpp"
#include "openssl_names.hpp"
#include "openssl_observer.hpp"
#include "openssl_pem.hpp"
#include "openssl_psk.hpp"
#include "stack_adapter.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::openssl {
namespace {

[[noreturn]] void reject(std::string_view setting, const std::string& what) {
  const auto errors = drain_errors();
  throw ConfigRejected(std::string(setting),
                       errors.empty() ? what : fmt::format("{} ({})", what, errors));
}

std::string release() {
  return fmt::format("OpenSSL {}", OpenSSL_version(OPENSSL_VERSION_STRING));
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void set_versions(SSL_CTX* ctx, const EndpointConfig& config) {
  const auto min = openssl_version(config.min_version);
  if (!min || SSL_CTX_set_min_proto_version(ctx, *min) != 1)
    reject("min_version", fmt::format("{} refuses {}", release(), config.min_version));
  auto max = openssl_version(config.max_version);
  // OpenSSL will not start a handshake when its highest enabled version has no suites, so a
  // suite list without TLS 1.3 suites has to mean TLS 1.2 at most.
  const bool any_tls13 = std::any_of(config.cipher_suites.begin(), config.cipher_suites.end(),
                                     [](const std::string& name) {
                                       const auto info = cipher_suite_by_name(name);
                                       return info && info->tls13;
                                     });
  if (max && *max >= TLS1_3_VERSION && *min < TLS1_3_VERSION && !config.cipher_suites.empty() &&
      !any_tls13)
    max = TLS1_2_VERSION;
  if (!max || SSL_CTX_set_max_proto_version(ctx, *max) != 1)
    reject("max_version", fmt::format("{} refuses {}", release(), config.max_version));
}

// A client's key shares can only be placed within its groups list. OpenSSL 3.5 and later send a
// share for each group marked with '*' (at most four); older releases refuse that syntax and
// share only the first group of the list. A set neither form expresses is refused.
std::string key_share_list(const EndpointConfig& config, const std::vector<std::string>& names) {
  const auto& shares = *config.key_shares;
  if (shares.empty()) reject("key_shares", "OpenSSL always sends at least one key share");
  for (const auto& share : shares)
    if (!contains(config.groups, share))
      reject("key_shares", fmt::format("'{}' is not among `groups`", share));
  std::vector<std::string> marked;
  for (std::size_t i = 0; i < names.size(); ++i)
    marked.push_back((contains(shares, config.groups[i]) ? "*" : "") + names[i]);
  return fmt::format("{}", fmt::join(marked, ":"));
}

void set_key_shares(SSL_CTX* ctx, const EndpointConfig& config,
                    const std::vector<std::string>& names) {
  constexpr std::size_t kMostMarkedShares = 4;  // SSL_CTX_set1_groups_list(3), OpenSSL 3.5
  const auto list = key_share_list(config, names);
  if (SSL_CTX_set1_groups_list(ctx, list.c_str()) == 1) {
    if (std::set(config.key_shares->begin(), config.key_shares->end()).size() > kMostMarkedShares)
      reject("key_shares",
             fmt::format("{} sends at most {} key shares", release(), kMostMarkedShares));
    return;
  }
  ERR_clear_error();
  if (*config.key_shares != std::vector{config.groups.front()})
    reject("key_shares",
           fmt::format("{} has no syntax to choose key shares; it shares only the first of "
                       "`groups` ({})",
                       release(), config.groups.front()));
}

void set_groups(SSL_CTX* ctx, const EndpointConfig& config) {
  const bool client_key_shares = config.role == Role::client && config.key_shares.has_value();
  if (config.groups.empty()) {
    if (client_key_shares)
      reject("key_shares", "OpenSSL places key shares only within a configured `groups` list");
    return;
  }
  std::vector<std::string> names;
  for (const auto& group : config.groups) {
    names.push_back(openssl_group_name(group));
    // One at a time first, so a refusal names the group rather than the whole list.
    if (SSL_CTX_set1_groups_list(ctx, names.back().c_str()) != 1)
      reject("groups", fmt::format("{} does not support group '{}'", release(), group));
  }
  if (SSL_CTX_set1_groups_list(ctx, fmt::format("{}", fmt::join(names, ":")).c_str()) != 1)
    reject("groups", fmt::format("{} refuses the list", release()));
  if (client_key_shares) set_key_shares(ctx, config, names);
}

void set_cipher_suites(SSL_CTX* ctx, const EndpointConfig& config) {
  if (config.cipher_suites.empty()) return;
  std::vector<std::string> tls13;
  std::vector<std::string> tls12;
  std::set<std::uint16_t> wanted;
  for (const auto& name : config.cipher_suites) {
    const auto info = cipher_suite_by_name(name);
    if (!info) reject("cipher_suites", fmt::format("unknown suite '{}'", name));
    wanted.insert(info->code);
    if (info->tls13) {
      tls13.push_back(name);  // TLS 1.3 suites go to OpenSSL by their IANA names
    } else if (const auto openssl_name = openssl_tls12_cipher_name(name)) {
      tls12.push_back(*openssl_name);
    } else {
      reject("cipher_suites", fmt::format("{} has no suite {}", release(), name));
    }
  }
  if (SSL_CTX_set_ciphersuites(ctx, fmt::format("{}", fmt::join(tls13, ":")).c_str()) != 1)
    reject("cipher_suites", fmt::format("{} refuses the TLS 1.3 suites", release()));
  // An empty TLS 1.2 list is reported as "no cipher match" yet still installed; the check
  // below decides whether the library ended up with exactly what was asked.
  if (SSL_CTX_set_cipher_list(ctx, fmt::format("{}", fmt::join(tls12, ":")).c_str()) != 1 &&
      !tls12.empty())
    reject("cipher_suites", fmt::format("{} refuses the TLS 1.2 suites", release()));
  ERR_clear_error();

  std::set<std::uint16_t> installed;
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i)
    installed.insert(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(ciphers, i)));
  if (installed != wanted) {
    std::vector<std::string> names;
    for (const auto code : installed) names.push_back(cipher_suite_name(code));
    reject("cipher_suites",
           fmt::format("{} installed [{}] instead", release(), fmt::join(names, ", ")));
  }
}

void set_credentials(SSL_CTX* ctx, const CertifiedKey& certified) {
  const auto chain = read_certificates(certified.chain_pem);
  if (chain.empty()) reject("certificate", "no certificate OpenSSL can read");
  if (SSL_CTX_use_certificate(ctx, chain.front().get()) != 1)
    reject("certificate", "OpenSSL refuses the leaf certificate");
  for (std::size_t i = 1; i < chain.size(); ++i)
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1)
      reject("certificate", fmt::format("OpenSSL refuses chain certificate {}", i));
  const auto key = read_private_key(certified.key_pem);
  if (!key) reject("certificate", "no private key OpenSSL can read");
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) reject("certificate", "OpenSSL refuses the key");
  if (SSL_CTX_check_private_key(ctx) != 1)
    reject("certificate", "the key does not match the certificate");
}

void set_verification(SSL_CTX* ctx, const EndpointConfig& config) {
  auto store = make_trust_store(config.trust_anchors_pem);
  if (!store) reject("trust_anchors_pem", "no certificate OpenSSL can read");
  SSL_CTX_set_cert_store(ctx, store.release());
  int mode = SSL_VERIFY_NONE;
  if (config.role == Role::client && config.verify_server) mode = SSL_VERIFY_PEER;
  if (config.role == Role::server && config.require_client_certificate)
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, nullptr);
}

// Unset modes leave OpenSSL's default untouched (the defaults scenarios measure it): neither
// SSL_OP_ALLOW_NO_DHE_KEX nor SSL_OP_PREFER_NO_DHE_KEX is set or cleared.
void set_psk_modes(SSL_CTX* ctx, const EndpointConfig& config) {
  if (!config.psk_modes) return;
  // Modes are a TLS 1.3 notion; TLS 1.2 PSK suites carry their key exchange in the suite.
  if (SSL_CTX_get_max_proto_version(ctx) < TLS1_3_VERSION) return;
  const auto& modes = *config.psk_modes;
  // OpenSSL offers (client) and accepts (server) psk_dhe_ke whenever it does PSKs at all.
  if (!contains(modes, "psk_dhe_ke"))
    reject("psk_modes", fmt::format("{} always {} psk_dhe_ke; it cannot be left out", release(),
                                    config.role == Role::client ? "offers" : "accepts"));
  if (!contains(modes, "psk_ke")) {
    // Options may also come from the system's openssl.cnf: psk_dhe_ke alone is set explicitly.
    SSL_CTX_clear_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);
    return;
  }
  SSL_CTX_set_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);
  if (config.role != Role::server) return;  // a client's order is not a preference
  // A server's order is its preference. Options may also come from the system's openssl.cnf,
  // so the one not wanted is cleared.
  const bool prefer_psk_ke = modes.front() == "psk_ke";
#ifdef SSL_OP_PREFER_NO_DHE_KEX
  if (prefer_psk_ke)
    SSL_CTX_set_options(ctx, SSL_OP_PREFER_NO_DHE_KEX);
  else
    SSL_CTX_clear_options(ctx, SSL_OP_PREFER_NO_DHE_KEX);
#else
  if (prefer_psk_ke)
    reject("psk_modes",
           fmt::format("{} cannot be made to prefer psk_ke over psk_dhe_ke by this peer: the "
                       "headers it was built with lack SSL_OP_PREFER_NO_DHE_KEX (OpenSSL 3.3 on)",
                       release()));
#endif
}

// RFC 7507 §4: the SCSV is a client's signal; SSL_MODE_SEND_FALLBACK_SCSV set on the context
// carries over to every SSL made from it, so each connection's ClientHello lists it.
void set_fallback_scsv(SSL_CTX* ctx, const EndpointConfig& config) {
  if (!config.fallback_scsv) return;
  if (config.role == Role::server)
    reject("fallback_scsv", fmt::format("client-only setting: {} puts TLS_FALLBACK_SCSV "
                                        "(SSL_MODE_SEND_FALLBACK_SCSV) only in a ClientHello",
                                        release()));
  SSL_CTX_set_mode(ctx, SSL_MODE_SEND_FALLBACK_SCSV);
}

void set_options(SSL_CTX* ctx, const EndpointConfig& config) {
  if (!config.session_tickets) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (config.role == Role::server) SSL_CTX_set_num_tickets(ctx, 0);
  }
  if (config.role == Role::server) {
    if (config.server_preference) {
      if (*config.server_preference)
        SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
      else
        SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    }
    // Without DH parameters OpenSSL silently skips the TLS 1.2 DHE suites.
    SSL_CTX_set_dh_auto(ctx, 1);
    // Needed whenever a server verifies clients and might resume a session.
    static constexpr unsigned char kSessionContext[] = "tlsmatrix";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  }
  set_psk_modes(ctx, config);
  if (!config.psks.empty() && config.role == Role::server) prefer_psk_compatible_suites(ctx);
  if (config.keylog) install_keylog(ctx);
  set_fallback_scsv(ctx, config);
  if (config.role == Role::client) install_ticket_counter(ctx);
}

}  // namespace

SslCtxPtr make_context(const EndpointConfig& config) {
  ERR_clear_error();
  // Neither the headers (no extension 33, tls_cert_with_extern_psk) nor the API of OpenSSL
  // have RFC 8773 / RFC 9973.
  if (config.cert_with_extern_psk)
    reject("cert_with_extern_psk",
           fmt::format("{} does not implement tls_cert_with_extern_psk (RFC 8773, RFC 9973)",
                       release()));
  SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) throw std::runtime_error(fmt::format("SSL_CTX_new failed ({})", drain_errors()));
  set_versions(ctx.get(), config);
  set_groups(ctx.get(), config);
  set_cipher_suites(ctx.get(), config);
  if (config.certificate) set_credentials(ctx.get(), *config.certificate);
  set_verification(ctx.get(), config);
  set_options(ctx.get(), config);
  return ctx;
}

}  // namespace tlsmatrix::openssl
