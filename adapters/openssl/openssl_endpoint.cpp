#include "openssl_endpoint.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "openssl_context.hpp"
#include "openssl_errors.hpp"
#include "openssl_names.hpp"
#include "stack_adapter.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::openssl {
namespace {

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
  const auto nid = static_cast<int>(SSL_get_negotiated_group(ssl));
  if (const auto code = group_code_from_nid(nid)) return code;
  const char* name = SSL_group_to_name(ssl, nid);
  return name != nullptr ? group_code_from_openssl_name(name) : std::nullopt;
}

// TLS 1.3: which psk_key_exchange_mode OpenSSL went through with; it has no getter for the mode
// itself, so this reads the key exchange state it keeps.
// - A psk_dhe_ke ServerHello carries the server's key share: with an (EC)DHE group the client
//   then holds it as the peer's key (SSL_get_peer_tmp_key) and the server made its own
//   (SSL_get_tmp_key); after psk_ke neither exists.
// - OpenSSL names a negotiated group only for a key exchange done in this handshake or kept in
//   the session: none at all means psk_ke.
// - A KEM group (ML-KEM and its hybrids, OpenSSL 3.5 on) leaves no such key in either mode (the
//   server encapsulates, the client decapsulates). A session made from an external PSK starts
//   without a group and OpenSSL records one in it only after a key exchange, so a named KEM
//   group there means psk_dhe_ke; a resumed session keeps its first handshake's group, so there
//   the mode is unknown.
std::optional<std::string> tls13_psk_mode(SSL* ssl, Role role) {
  EVP_PKEY* key = nullptr;
  const long found =
      role == Role::client ? SSL_get_peer_tmp_key(ssl, &key) : SSL_get_tmp_key(ssl, &key);
  EVP_PKEY_free(key);
  if (found == 1) return "psk_dhe_ke";
  if (SSL_get_negotiated_group(ssl) == NID_undef) return "psk_ke";
  const auto code = library_group(ssl);
  const auto info = code ? group_by_code(*code) : std::nullopt;
  if (!info) return std::nullopt;
  if (info->kind == "ecdhe" || info->kind == "ffdhe") return "psk_ke";
  if (external_psk_of(ssl) != nullptr) return "psk_dhe_ke";
  return std::nullopt;
}

bool is_psk_kx(int kx) {
  return kx == NID_kx_psk || kx == NID_kx_dhe_psk || kx == NID_kx_ecdhe_psk || kx == NID_kx_rsa_psk;
}

}  // namespace

EndpointContext::EndpointContext(const EndpointConfig& config)
    : config_(config), tls12_psk_suites_(wants_tls12_psk_suites(config)) {
  // Resuming a ticket alongside external PSKs would offer both in one ClientHello; the runner
  // never asks for it, and this peer does not do it.
  if (config.connections > 1 && !config.psks.empty())
    throw ConfigRejected("connections",
                         "this OpenSSL peer does not combine resumption with external PSKs");
  ctx_ = make_context(config);
  const long max_version = SSL_CTX_get_max_proto_version(ctx_.get());
  psks_ = make_psk_settings(config,
                            {max_version == 0 || max_version >= TLS1_3_VERSION, tls12_psk_suites_});
}

bool EndpointContext::resumes() const {
  return config_.role == Role::client && config_.session_tickets && config_.connections > 1;
}

Endpoint::Endpoint(std::shared_ptr<EndpointContext> context) : context_(std::move(context)) {
  const EndpointConfig& config = context_->config();
  ssl_.reset(SSL_new(context_->ctx()));
  // Not a refusal of any setting: the library failed.
  if (!ssl_) throw std::runtime_error(fmt::format("SSL_new failed ({})", drain_errors()));
  observer_.attach(ssl_.get());
  if (!context_->psks().empty()) {
    observer_.psks = &context_->psks();
    install_psk_callbacks(ssl_.get(), config.role, context_->tls12_psk_suites());
  }
  if (config.role == Role::server) {
    SSL_set_accept_state(ssl_.get());
    return;
  }
  SSL_set_connect_state(ssl_.get());
  if (context_->resumes()) {
    // Offer only what the previous connection received, so a connection that got no ticket
    // leads to a full handshake; this one's tickets replace it.
    const SessionPtr offered = std::move(context_->newest_ticket);
    observer_.newest_ticket = &context_->newest_ticket;
    if (offered && SSL_set_session(ssl_.get(), offered.get()) != 1)
      throw std::runtime_error(fmt::format("SSL_set_session failed ({})", drain_errors()));
  }
  if (config.server_name.empty()) return;
  if (SSL_set_tlsext_host_name(ssl_.get(), config.server_name.c_str()) != 1)
    throw ConfigRejected("server_name",
                         fmt::format("OpenSSL refuses it as SNI ({})", drain_errors()));
  if (config.verify_server && SSL_set1_host(ssl_.get(), config.server_name.c_str()) != 1)
    throw ConfigRejected(
        "server_name",
        fmt::format("OpenSSL refuses it as a host name to verify ({})", drain_errors()));
}

bool Endpoint::verifies_peer() const {
  const EndpointConfig& config = context_->config();
  return config.role == Role::client ? config.verify_server : config.require_client_certificate;
}

void Endpoint::describe(HandshakeOutcome& out, bool complete) const {
  SSL* ssl = ssl_.get();
  const EndpointConfig& config = context_->config();
  // OpenSSL has no getter for whether a HelloRetryRequest happened: hello_retry_request stays
  // null.
  out.alert_sent = observer_.alert_sent;
  out.alert_received = observer_.alert_received;
  if (config.role == Role::client) out.tickets_received = observer_.tickets_received;
  if (config.keylog) out.keylog = observer_.keylog;
  // Only a certificate that came in this handshake: a resumed session still hands out the one
  // stored with it.
  if (observer_.certificate_received) out.peer_certificate = peer_certificate(ssl, config.role);
  if (!complete) return;

  const int version = SSL_version(ssl);
  out.version = version_name(static_cast<std::uint16_t>(version));
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher != nullptr) out.cipher_suite = SSL_CIPHER_get_protocol_id(cipher);
  // OpenSSL calls a handshake with an external TLS 1.3 PSK a reused session too; only the
  // sessions our PSK callbacks made carry the mark that tells them apart.
  out.resumed = SSL_session_reused(ssl) == 1 && external_psk_of(ssl) == nullptr;

  if (version == TLS1_3_VERSION) {
    // A TLS 1.3 PSK handshake, external or resumption, shows as a reused session.
    out.psk_used = SSL_session_reused(ssl) == 1;
    if (out.psk_used) {
      if (const PskSettings* psk = external_psk_of(ssl)) out.psk_identity = psk->identity;
      out.psk_mode = tls13_psk_mode(ssl, config.role);
      // After psk_ke OpenSSL still names the group of the client's key share; where the mode
      // is unknown, so is whether that group was used.
      if (out.psk_mode != "psk_dhe_ke") return;
    }
    out.group = library_group(ssl);
  } else if (cipher != nullptr && is_psk_kx(SSL_CIPHER_get_kx_nid(cipher))) {
    // TLS 1.2 PSK suites carry their key exchange in the suite; modes are a TLS 1.3 notion.
    out.psk_used = true;
    // Both sides keep the identity the client sent (a NUL-terminated string in TLS 1.2).
    if (const char* identity = SSL_get_psk_identity(ssl)) out.psk_identity = identity;
    const int kx = SSL_CIPHER_get_kx_nid(cipher);
    if (kx == NID_kx_dhe_psk || kx == NID_kx_ecdhe_psk) out.group = library_group(ssl);
  } else if (!out.resumed.value_or(false)) {
    // An abbreviated TLS 1.2 handshake exchanges no key; OpenSSL still names the group the
    // resumed session was made with, so the group stays null there.
    out.group = library_group(ssl);
  }
}

}  // namespace tlsmatrix::openssl
