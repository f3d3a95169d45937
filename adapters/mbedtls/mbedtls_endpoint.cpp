#include "mbedtls_endpoint.hpp"

#include <fmt/format.h>
#include <mbedtls/platform_util.h>

#include <string_view>

#include "hex_text.hpp"
#include "mbedtls_names.hpp"
#include "mbedtls_util.hpp"

namespace tlsmatrix::mbedtls_adapter {
namespace {

// PEM parsers of Mbed TLS want the terminating NUL counted in the length.
const unsigned char* pem_bytes(const std::string& pem) {
  return reinterpret_cast<const unsigned char*>(pem.c_str());
}

const unsigned char* bytes_of(const std::string& bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

// The groups a TLS 1.3 client of Mbed TLS 3.6 can put its one key share on (it shares the first
// of these in its list, ssl_tls13_client.c): ECDHE of RFC 8446 and the RFC 7919 groups.
bool tls13_share_group(std::uint16_t code) {
  switch (code) {
    case MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1:
    case MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1:
    case MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1:
    case MBEDTLS_SSL_IANA_TLS_GROUP_X25519:
    case MBEDTLS_SSL_IANA_TLS_GROUP_X448:
    case MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE2048:
    case MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE3072:
    case MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE4096:
    case MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE6144:
    case MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE8192:
      return true;
    default:
      return false;
  }
}

}  // namespace

EndpointContext::EndpointContext(const EndpointConfig& config) : config_(config) {
  mbedtls_ssl_config_init(&conf_);
  mbedtls_x509_crt_init(&own_chain_);
  mbedtls_pk_init(&own_key_);
  mbedtls_x509_crt_init(&trust_anchors_);
  mbedtls_ssl_ticket_init(&ticket_keys_);
  mbedtls_ssl_session_init(&resumption_);
  library_init();

  const bool client = config_.role == Role::client;
  require_library(
      mbedtls_ssl_config_defaults(&conf_, client ? MBEDTLS_SSL_IS_CLIENT : MBEDTLS_SSL_IS_SERVER,
                                  MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT),
      "loading the default configuration");
  mbedtls_ssl_conf_rng(&conf_, random_bytes, nullptr);
  mbedtls_ssl_conf_dbg(&conf_, read_debug_line, this);

  // Mbed TLS 3 removed MBEDTLS_SSL_FALLBACK_SCSV (RFC 7507) from the library.
  if (client && config_.fallback_scsv)
    reject("fallback_scsv", "Mbed TLS 3 has no TLS_FALLBACK_SCSV support (removed in 3.0)");
  if (config_.cert_with_extern_psk)
    reject("cert_with_extern_psk",
           "Mbed TLS implements no tls_cert_with_extern_psk extension (RFC 8773)");

  apply_versions();
  apply_groups();
  apply_cipher_suites();
  apply_credentials();
  apply_psks();
  apply_tickets();
}

EndpointContext::~EndpointContext() {
  mbedtls_ssl_session_free(&resumption_);
  mbedtls_ssl_ticket_free(&ticket_keys_);
  mbedtls_x509_crt_free(&trust_anchors_);
  mbedtls_pk_free(&own_key_);
  mbedtls_x509_crt_free(&own_chain_);
  mbedtls_ssl_config_free(&conf_);
  for (auto& secret : psk_secrets_) mbedtls_platform_zeroize(secret.data(), secret.size());
}

void EndpointContext::apply_versions() {
  const auto min = library_version_of(config_.min_version);
  if (!min)
    reject("min_version",
           fmt::format("Mbed TLS {} implements only TLS 1.2 and TLS 1.3", library_version()));
  const auto max = library_version_of(config_.max_version);
  if (!max)
    reject("max_version",
           fmt::format("Mbed TLS {} implements only TLS 1.2 and TLS 1.3", library_version()));
  mbedtls_ssl_conf_min_tls_version(&conf_, *min);
  mbedtls_ssl_conf_max_tls_version(&conf_, *max);
}

void EndpointContext::apply_groups() {
  for (const auto& name : config_.groups) {
    const auto code = library_group(name);
    if (!code)
      reject("groups", fmt::format("Mbed TLS {} has no group {}", library_version(), name));
    groups_.push_back(*code);
  }
  if (!groups_.empty()) {
    groups_.push_back(MBEDTLS_SSL_IANA_TLS_GROUP_NONE);
    mbedtls_ssl_conf_groups(&conf_, groups_.data());
  }

  if (config_.role != Role::client || !config_.key_shares) return;
  // An Mbed TLS 3.6 client sends exactly one key share, for the first group of its list that
  // can carry one in TLS 1.3; there is no setting for any other set.
  const auto& shares = *config_.key_shares;
  if (groups_.empty())
    reject("key_shares", "Mbed TLS places its one key share only within a configured `groups`");
  if (shares.size() != 1 || shares.front() != config_.groups.front() ||
      !tls13_share_group(groups_.front()))
    reject("key_shares",
           fmt::format("an Mbed TLS {} client sends one key share, for the first of `groups` "
                       "that TLS 1.3 can share ({}); it has no setting for another set",
                       library_version(), config_.groups.front()));
}

void EndpointContext::apply_cipher_suites() {
  for (const auto& name : config_.cipher_suites) {
    const auto code = library_suite(name);
    if (!code)
      reject("cipher_suites",
             fmt::format("Mbed TLS {} has no cipher suite {}", library_version(), name));
    cipher_suites_.push_back(*code);
  }
  if (!cipher_suites_.empty()) {
    cipher_suites_.push_back(0);
    mbedtls_ssl_conf_ciphersuites(&conf_, cipher_suites_.data());
  }

  if (config_.role != Role::server || !config_.server_preference) return;
  // mbedtls_ssl_conf_preference_order() steers only the TLS 1.2 server: the TLS 1.3 server takes
  // the first suite of the client's list it supports (ssl_tls13_select_ciphersuite) and the
  // client's groups in the client's order.
  if (*config_.server_preference && config_.max_version == "TLSv1.3")
    reject("server_preference",
           fmt::format("an Mbed TLS {} TLS 1.3 server always chooses by the client's order",
                       library_version()));
  mbedtls_ssl_conf_preference_order(&conf_, *config_.server_preference
                                                ? MBEDTLS_SSL_SRV_CIPHERSUITE_ORDER_SERVER
                                                : MBEDTLS_SSL_SRV_CIPHERSUITE_ORDER_CLIENT);
}

void EndpointContext::apply_credentials() {
  if (config_.certificate) {
    const auto& chain = config_.certificate->chain_pem;
    const auto& key = config_.certificate->key_pem;
    require_ok(mbedtls_x509_crt_parse(&own_chain_, pem_bytes(chain), chain.size() + 1),
               "certificate", "parsing the certificate chain");
    require_ok(mbedtls_pk_parse_key(&own_key_, pem_bytes(key), key.size() + 1, nullptr, 0,
                                    random_bytes, nullptr),
               "certificate", "parsing the private key");
    require_ok(mbedtls_ssl_conf_own_cert(&conf_, &own_chain_, &own_key_), "certificate",
               "installing the certificate");
  }
  if (!config_.trust_anchors_pem.empty()) {
    const auto& pem = config_.trust_anchors_pem;
    require_ok(mbedtls_x509_crt_parse(&trust_anchors_, pem_bytes(pem), pem.size() + 1),
               "trust_anchors", "parsing the trust anchors");
    mbedtls_ssl_conf_ca_chain(&conf_, &trust_anchors_, nullptr);
  }
  const bool verify =
      config_.role == Role::client ? config_.verify_server : config_.require_client_certificate;
  mbedtls_ssl_conf_authmode(&conf_, verify ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
}

void EndpointContext::apply_psks() {
  for (const auto& psk : config_.psks) {
    // The server binds every external PSK to SHA-256 (ssl_tls13_server.c,
    // ssl_tls13_parse_pre_shared_key_ext: psk_hash_alg = PSA_ALG_SHA_256), the client
    // likewise; there is no per-PSK hash setting.
    if (psk.hash != "SHA256")
      reject("psks", fmt::format("Mbed TLS {} binds external PSKs to SHA256 only, not {}",
                                 library_version(), psk.hash));
    psk_secrets_.push_back(bytes_from_hex(psk.secret_hex));
  }
  if (!config_.psks.empty()) {
    if (config_.role == Role::client) {
      if (config_.psks.size() > 1)
        reject("psks", "an Mbed TLS client offers one external PSK (mbedtls_ssl_conf_psk)");
      const auto& identity = config_.psks.front().identity;
      require_ok(
          mbedtls_ssl_conf_psk(&conf_, bytes_of(psk_secrets_.front()), psk_secrets_.front().size(),
                               bytes_of(identity), identity.size()),
          "psks", "configuring the PSK");
    } else {
      mbedtls_ssl_conf_psk_cb(&conf_, select_psk, this);
    }
  }

  if (!config_.psk_modes) return;
  // Certificate handshakes stay possible beside the PSK modes asked for, where this side can
  // take part in one: a server without a certificate that allowed them would choose that mode
  // (its order is psk_dhe_ke, certificate, psk_ke: ssl_tls13_parse_client_hello) and fail.
  int modes = config_.role == Role::client || config_.certificate
                  ? MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL
                  : MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_NONE;
  for (const auto& mode : *config_.psk_modes) {
    if (mode == "psk_ke")
      modes |= MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK;
    else if (mode == "psk_dhe_ke")
      modes |= MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL;
    else
      reject("psk_modes", fmt::format("unknown PSK key exchange mode {}", mode));
  }
  mbedtls_ssl_conf_tls13_key_exchange_modes(&conf_, modes);
}

void EndpointContext::apply_tickets() {
  if (config_.role == Role::client) {
    mbedtls_ssl_conf_session_tickets(&conf_, config_.session_tickets
                                                 ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                 : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
    // Without this a TLS 1.3 client discards every NewSessionTicket.
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
        &conf_, config_.session_tickets ? MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED
                                        : MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_DISABLED);
    return;
  }
  if (!config_.session_tickets) return;  // no ticket callbacks: the server issues none
  require_library(mbedtls_ssl_ticket_setup(&ticket_keys_, random_bytes, nullptr,
                                           MBEDTLS_CIPHER_AES_256_GCM, 86400),
                  "setting up the ticket keys");
  mbedtls_ssl_conf_session_tickets_cb(&conf_, write_ticket, parse_ticket, this);
}

int EndpointContext::select_psk(void* self, mbedtls_ssl_context* ssl, const unsigned char* identity,
                                std::size_t identity_len) {
  auto* endpoint = static_cast<EndpointContext*>(self);
  const std::string offered(reinterpret_cast<const char*>(identity), identity_len);
  const auto& psks = endpoint->config_.psks;
  for (std::size_t i = 0; i < psks.size(); ++i) {
    if (psks[i].identity != offered) continue;
    const std::string& secret = endpoint->psk_secrets_[i];
    if (mbedtls_ssl_set_hs_psk(ssl, bytes_of(secret), secret.size()) != 0) return -1;
    if (endpoint->current_ != nullptr) endpoint->current_->psk_identity = offered;
    return 0;
  }
  return -1;
}

void EndpointContext::read_debug_line(void* self, int /*level*/, const char* /*file*/, int /*line*/,
                                      const char* message) {
  HandshakeFacts* facts = static_cast<EndpointContext*>(self)->current_;
  if (facts == nullptr) return;
  const std::string_view text(message);
  // TLS 1.3 server "key exchange mode: psk_ephemeral" (ssl_tls13_server.c), client "Selected key
  // exchange mode: psk_ephemeral" (ssl_tls13_client.c); the modes are "psk_ephemeral", "psk"
  // and "ephemeral".
  constexpr std::string_view kMode = "key exchange mode: ";
  if (const auto at = text.find(kMode); at != std::string_view::npos) {
    std::string_view mode = text.substr(at + kMode.size());
    while (!mode.empty() && (mode.back() == '\n' || mode.back() == ' ')) mode.remove_suffix(1);
    if (mode == "psk_ephemeral")
      facts->key_exchange = "psk_dhe_ke";
    else if (mode == "psk")
      facts->key_exchange = "psk_ke";
    else if (mode == "ephemeral")
      facts->key_exchange = "certificate";
    return;
  }
  // TLS 1.2 client (ssl_tls12_client.c): "a session has been resumed" or "no session ...",
  // after the context's address where the library is built with threads.
  if (text.find("a session has been resumed") != std::string_view::npos)
    facts->tls12_resumed = true;
}

int EndpointContext::write_ticket(void* self, const mbedtls_ssl_session* session,
                                  unsigned char* start, const unsigned char* end,
                                  std::size_t* length, std::uint32_t* lifetime) {
  auto* endpoint = static_cast<EndpointContext*>(self);
  return mbedtls_ssl_ticket_write(&endpoint->ticket_keys_, session, start, end, length, lifetime);
}

int EndpointContext::parse_ticket(void* self, mbedtls_ssl_session* session, unsigned char* buf,
                                  std::size_t len) {
  auto* endpoint = static_cast<EndpointContext*>(self);
  const int ret = mbedtls_ssl_ticket_parse(&endpoint->ticket_keys_, session, buf, len);
  if (ret == 0 && endpoint->current_ != nullptr) endpoint->current_->ticket_accepted = true;
  return ret;
}

bool EndpointContext::offer_resumption(mbedtls_ssl_context& ssl) {
  if (!have_resumption_) return false;
  have_resumption_ = false;
  // mbedtls_ssl_set_session() copies the session; ours is dropped so it is offered only once.
  const int ret = mbedtls_ssl_set_session(&ssl, &resumption_);
  mbedtls_ssl_session_free(&resumption_);
  mbedtls_ssl_session_init(&resumption_);
  require_library(ret, "offering the previous connection's session");
  return true;
}

void EndpointContext::keep_resumption(const mbedtls_ssl_context& ssl) {
  mbedtls_ssl_session_free(&resumption_);
  mbedtls_ssl_session_init(&resumption_);
  have_resumption_ = mbedtls_ssl_get_session(&ssl, &resumption_) == 0;
}

}  // namespace tlsmatrix::mbedtls_adapter
