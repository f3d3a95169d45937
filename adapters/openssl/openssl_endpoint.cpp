#include "openssl_endpoint.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include <algorithm>
#include <set>

#include "openssl_context.hpp"
#include "openssl_errors.hpp"
#include "openssl_names.hpp"
#include "openssl_probe.hpp"
#include "stack_adapter.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::openssl {
namespace {

std::vector<std::string> group_names(const std::vector<std::uint16_t>& codes) {
  std::vector<std::string> out;
  for (const auto code : codes) out.push_back(group_name(code));
  return out;
}

// OpenSSL before 3.5 cannot choose key shares freely, so rather than trusting the
// configuration we write a ClientHello from the same context into memory and read it back.
void check_key_shares(SSL_CTX* ctx, const EndpointConfig& config) {
  std::vector<std::uint16_t> wanted;
  for (const auto& name : *config.key_shares)
    if (const auto g = group_by_name(name)) wanted.push_back(g->code);
  const auto sent = first_flight_key_shares(ctx);
  if (!sent)
    throw ConfigRejected(fmt::format(
        "key_shares: OpenSSL could not produce a ClientHello to check ({})", drain_errors()));
  if (std::set(wanted.begin(), wanted.end()) == std::set(sent->begin(), sent->end())) return;
  throw ConfigRejected(
      fmt::format("key_shares: OpenSSL {} would send key shares for [{}], not [{}]{}",
                  OpenSSL_version(OPENSSL_VERSION_STRING), fmt::join(group_names(*sent), ", "),
                  fmt::join(*config.key_shares, ", "),
                  config.groups.empty() ? " (no groups list was given to place them in)" : ""));
}

bool wants_tls12_psk_suites(const EndpointConfig& config) {
  return std::any_of(
      config.cipher_suites.begin(), config.cipher_suites.end(),
      [](const std::string& name) { return name.find("PSK_WITH") != std::string::npos; });
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // RFC 2253 order and escaping, but UTF-8 left readable.
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string key_text(const EVP_PKEY* key) {
  if (key == nullptr) return "unknown";
  const int bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_is_a(key, "RSA")) return fmt::format("RSA {}", bits);
  if (EVP_PKEY_is_a(key, "RSA-PSS")) return fmt::format("RSA-PSS {}", bits);
  if (EVP_PKEY_is_a(key, "ED25519")) return "Ed25519";
  if (EVP_PKEY_is_a(key, "ED448")) return "Ed448";
  if (EVP_PKEY_is_a(key, "EC")) {
    char curve[80] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                       &len) != 1)
      return fmt::format("ECDSA {}", bits);
    const char* nist = EC_curve_nid2nist(OBJ_txt2nid(curve));
    return fmt::format("ECDSA {}", nist != nullptr ? nist : curve);
  }
  const char* type = EVP_PKEY_get0_type_name(key);
  return fmt::format("{} {}", type != nullptr ? type : "unknown", bits);
}

std::optional<PeerCertificate> peer_certificate(SSL* ssl, Role role) {
  const X509* cert = SSL_get0_peer_certificate(ssl);
  // A client that rejected the server's chain has no verified peer certificate, but still
  // holds the chain it was shown (leaf first), which is what a reader wants to see.
  if (cert == nullptr && role == Role::client) {
    const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    if (chain != nullptr && sk_X509_num(chain) > 0) cert = sk_X509_value(chain, 0);
  }
  if (cert == nullptr) return std::nullopt;
  return PeerCertificate{name_text(X509_get_subject_name(cert)),
                         name_text(X509_get_issuer_name(cert)), key_text(X509_get0_pubkey(cert))};
}

std::optional<std::uint16_t> library_group(SSL* ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30200000L
  if (const char* name = SSL_get0_group_name(ssl))
    if (const auto code = group_code_from_openssl_name(name)) return code;
#endif
  return group_code_from_nid(static_cast<int>(SSL_get_negotiated_group(ssl)));
}

bool is_psk_kx(int kx) {
  return kx == NID_kx_psk || kx == NID_kx_dhe_psk || kx == NID_kx_ecdhe_psk || kx == NID_kx_rsa_psk;
}

}  // namespace

Endpoint::Endpoint(const EndpointConfig& config) : config_(config) {
  if (config.psk) psk_ = make_psk_settings(*config.psk);
  ctx_ = make_context(config);
  if (config.role == Role::client && config.key_shares) check_key_shares(ctx_.get(), config);
  ssl_.reset(SSL_new(ctx_.get()));
  if (!ssl_) throw ConfigRejected(fmt::format("context: SSL_new failed ({})", drain_errors()));
  observer_.attach(ssl_.get());
  if (psk_) {
    observer_.psk = &*psk_;
    install_psk_callbacks(ssl_.get(), config.role, wants_tls12_psk_suites(config));
  }
  if (config.role == Role::server) {
    SSL_set_accept_state(ssl_.get());
    return;
  }
  SSL_set_connect_state(ssl_.get());
  if (config.server_name.empty()) return;
  if (SSL_set_tlsext_host_name(ssl_.get(), config.server_name.c_str()) != 1)
    throw ConfigRejected(
        fmt::format("server_name: OpenSSL refuses it as SNI ({})", drain_errors()));
  if (config.verify_server && SSL_set1_host(ssl_.get(), config.server_name.c_str()) != 1)
    throw ConfigRejected(fmt::format(
        "server_name: OpenSSL refuses it as a host name to verify ({})", drain_errors()));
}

bool Endpoint::verifies_peer() const {
  return config_.role == Role::client ? config_.verify_server : config_.require_client_certificate;
}

void Endpoint::describe(HandshakeOutcome& out, bool complete) const {
  SSL* ssl = ssl_.get();
  const HelloLog& hello = observer_.hello;
  out.hello_retry_request = hello.hello_retry_request;
  out.alert_sent = observer_.alert_sent;
  out.alert_received = observer_.alert_received;
  if (config_.keylog) out.keylog = observer_.keylog;
  out.peer_certificate = peer_certificate(ssl, config_.role);
  // Counted by the message callback, which OpenSSL calls for each NewSessionTicket it reads.
  if (config_.role == Role::client) out.tickets_received = hello.new_session_tickets;
  if (!complete) return;

  const int version = SSL_version(ssl);
  out.version = version_name(static_cast<std::uint16_t>(version));
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher != nullptr) out.cipher_suite = SSL_CIPHER_get_protocol_id(cipher);

  bool key_exchange = true;  // an (EC)DHE exchange happened
  if (version == TLS1_3_VERSION) {
    // A TLS 1.3 PSK shows as a resumption; our peers never resume, so it is the external PSK.
    out.psk_used = config_.psk.has_value() && SSL_session_reused(ssl) == 1;
    key_exchange = hello.server_key_share.has_value();
  } else if (cipher != nullptr && is_psk_kx(SSL_CIPHER_get_kx_nid(cipher))) {
    out.psk_used = true;
    const int kx = SSL_CIPHER_get_kx_nid(cipher);
    key_exchange = kx == NID_kx_dhe_psk || kx == NID_kx_ecdhe_psk;
  }
  if (out.psk_used) out.psk_mode = key_exchange ? "psk_dhe_ke" : "psk_ke";
  // OpenSSL keeps the group of the key share it offered even when the server chose psk_ke.
  if (key_exchange) {
    out.group = library_group(ssl);
    if (!out.group && version == TLS1_3_VERSION) out.group = hello.server_key_share;
  } else {
    out.group.reset();
  }
}

}  // namespace tlsmatrix::openssl
