#include "openssl_psk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "hex_text.hpp"
#include "openssl_handles.hpp"
#include "openssl_observer.hpp"
#include "pre_shared_key.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::openssl {
namespace {

const std::vector<PskSettings>* psks_of(const SSL* ssl) {
  const auto* observer = SslObserver::of(ssl);
  return observer != nullptr && observer->psks != nullptr && !observer->psks->empty()
             ? observer->psks
             : nullptr;
}

const PskSettings* find_psk(const SSL* ssl, const unsigned char* id, std::size_t id_len) {
  const auto* psks = psks_of(ssl);
  if (psks == nullptr) return nullptr;
  const auto it = std::find_if(psks->begin(), psks->end(), [&](const PskSettings& psk) {
    return psk.identity.size() == id_len && std::memcmp(psk.identity.data(), id, id_len) == 0;
  });
  return it != psks->end() ? &*it : nullptr;
}

// The ex_data slot of SSL_SESSION that marks a session made from one of our external PSKs.
int marker_index() {
  static const int index = SSL_SESSION_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

bool digest_matches(const SSL_CIPHER* cipher, const std::string& hash) {
  const EVP_MD* md = cipher != nullptr ? SSL_CIPHER_get_handshake_digest(cipher) : nullptr;
  return md != nullptr && EVP_MD_is_a(md, hash.c_str());
}

// Only the suite's hash matters to a TLS 1.3 PSK: take the suite a server has already picked
// when it fits, else the first configured TLS 1.3 suite with that hash.
const SSL_CIPHER* cipher_for(SSL* ssl, const std::string& hash) {
  if (const SSL_CIPHER* pending = SSL_get_pending_cipher(ssl);
      pending != nullptr && SSL_CIPHER_get_kx_nid(pending) == NID_kx_any &&
      digest_matches(pending, hash))
    return pending;
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    if (SSL_CIPHER_get_kx_nid(c) == NID_kx_any && digest_matches(c, hash)) return c;
  }
  const unsigned char fallback[2] = {0x13, static_cast<unsigned char>(hash == "SHA384" ? 2 : 1)};
  return SSL_CIPHER_find(ssl, fallback);
}

SSL_SESSION* new_psk_session(SSL* ssl, const PskSettings& psk) {
  const SSL_CIPHER* cipher = cipher_for(ssl, psk.hash);
  SSL_SESSION* session = SSL_SESSION_new();
  if (session == nullptr || cipher == nullptr ||
      SSL_SESSION_set1_master_key(session, psk.key.data(), psk.key.size()) != 1 ||
      SSL_SESSION_set_cipher(session, cipher) != 1 ||
      SSL_SESSION_set_protocol_version(session, TLS1_3_VERSION) != 1 ||
      SSL_SESSION_set_ex_data(session, marker_index(), const_cast<PskSettings*>(&psk)) != 1) {
    SSL_SESSION_free(session);
    return nullptr;
  }
  return session;
}

// Client, TLS 1.3: OpenSSL takes exactly one external PSK here (configure refuses more).
int use_session(SSL* ssl, const EVP_MD* md, const unsigned char** id, std::size_t* id_len,
                SSL_SESSION** session) {
  *session = nullptr;
  const auto* psks = psks_of(ssl);
  if (psks == nullptr) return 1;
  const PskSettings& psk = psks->front();
  // After an HRR the server has fixed the hash; a PSK bound to another one cannot be offered.
  if (md != nullptr && !EVP_MD_is_a(md, psk.hash.c_str())) return 1;
  *session = new_psk_session(ssl, psk);
  *id = reinterpret_cast<const unsigned char*>(psk.identity.data());
  *id_len = psk.identity.size();
  return *session != nullptr ? 1 : 0;
}

// Server, TLS 1.3: called for each offered identity in turn until OpenSSL keeps a session.
int find_session(SSL* ssl, const unsigned char* id, std::size_t id_len, SSL_SESSION** session) {
  *session = nullptr;
  const PskSettings* psk = find_psk(ssl, id, id_len);
  if (psk == nullptr) return 1;  // unknown identity: carry on without it
  *session = new_psk_session(ssl, *psk);
  return *session != nullptr ? 1 : 0;
}

unsigned int copy_key(const PskSettings& psk, unsigned char* out, unsigned int max_len) {
  if (psk.key.size() > max_len) return 0;
  std::copy(psk.key.begin(), psk.key.end(), out);
  return static_cast<unsigned int>(psk.key.size());
}

// OpenSSL 3.0 also asks these two callbacks while building or reading a TLS 1.3 ClientHello
// when the session callbacks gave no PSK; they serve the TLS 1.2 key exchange only.
bool in_tls13_hello(const SSL* ssl) {
  const auto state = SSL_get_state(ssl);
  return state == TLS_ST_CW_CLNT_HELLO || state == TLS_ST_SR_CLNT_HELLO;
}

// TLS 1.2 client: the first PSK (configure checked it fits a NUL-terminated identity).
unsigned int tls12_client(SSL* ssl, const char* /*hint*/, char* identity,
                          unsigned int max_identity_len, unsigned char* key,
                          unsigned int max_key_len) {
  const auto* psks = psks_of(ssl);
  if (psks == nullptr || in_tls13_hello(ssl)) return 0;
  const PskSettings& psk = psks->front();
  if (psk.identity.size() + 1 > max_identity_len) return 0;
  std::memcpy(identity, psk.identity.c_str(), psk.identity.size() + 1);
  return copy_key(psk, key, max_key_len);
}

unsigned int tls12_server(SSL* ssl, const char* identity, unsigned char* key,
                          unsigned int max_key_len) {
  if (identity == nullptr || in_tls13_hello(ssl)) return 0;
  const PskSettings* psk =
      find_psk(ssl, reinterpret_cast<const unsigned char*>(identity), std::strlen(identity));
  return psk != nullptr ? copy_key(*psk, key, max_key_len) : 0;
}

bool client_offers(SSL* ssl, const SSL_CIPHER* cipher) {
  const unsigned char* suites = nullptr;
  const std::size_t len = SSL_client_hello_get0_ciphers(ssl, &suites);
  const auto code = SSL_CIPHER_get_protocol_id(cipher);
  for (std::size_t i = 0; i + 1 < len; i += 2)
    if (((suites[i] << 8) | suites[i + 1]) == code) return true;
  return false;
}

// The first identity the ClientHello's pre_shared_key extension lists that we know and that
// both sides have a TLS 1.3 suite for, with our suites of its hash that the client offers.
// OpenSSL hands over the extension's bytes only; the wire library reads them.
std::string compatible_suites(SSL* ssl) {
  const unsigned char* data = nullptr;
  std::size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_psk, &data, &len) != 1) return {};
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl);
  for (const auto& id : wire::read_offered_psks({data, len}).identities) {
    const PskSettings* psk = find_psk(ssl, id.data(), id.size());
    if (psk == nullptr) continue;
    std::string compatible;
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
      if (SSL_CIPHER_get_kx_nid(c) != NID_kx_any || !digest_matches(c, psk->hash) ||
          !client_offers(ssl, c))
        continue;
      if (!compatible.empty()) compatible += ':';
      compatible += SSL_CIPHER_standard_name(c);
    }
    if (!compatible.empty()) return compatible;
  }
  return {};
}

int on_client_hello(SSL* ssl, int* /*alert*/, void* /*arg*/) {
  if (psks_of(ssl) == nullptr) return SSL_CLIENT_HELLO_SUCCESS;
  // Without a suite both sides have for an offered PSK none can be used; leave the list alone,
  // so OpenSSL goes on as it would without PSKs.
  if (const auto suites = compatible_suites(ssl); !suites.empty())
    (void)SSL_set_ciphersuites(ssl, suites.c_str());
  return SSL_CLIENT_HELLO_SUCCESS;
}

[[noreturn]] void refuse(const std::string& reason) {
  throw ConfigRejected("psks", reason);
}

std::string shown(const std::string& identity) {
  return fmt::format("identity {}", hex_of(identity));
}

void check_tls13(const PskSettings& psk) {
  // OpenSSL carries a TLS 1.3 external PSK as a session's master key; ask it whether it fits.
  SessionPtr session(SSL_SESSION_new());
  if (!session) throw std::runtime_error("SSL_SESSION_new failed");
  if (SSL_SESSION_set1_master_key(session.get(), psk.key.data(), psk.key.size()) != 1)
    refuse(fmt::format("{}: SSL_SESSION_set1_master_key refuses a {}-byte key", shown(psk.identity),
                       psk.key.size()));
}

void check_tls12(const PskSettings& psk, Role role) {
  // The TLS 1.2 callbacks pass identities as NUL-terminated C strings.
  if (psk.identity.find('\0') != std::string::npos)
    refuse(
        fmt::format("{} contains a NUL byte; OpenSSL's TLS 1.2 PSK callbacks take "
                    "NUL-terminated identities",
                    shown(psk.identity)));
  // The client callback writes identity and NUL into PSK_MAX_IDENTITY_LEN bytes; the server
  // rejects longer identities before asking its callback.
  const std::size_t most = role == Role::client ? PSK_MAX_IDENTITY_LEN - 1 : PSK_MAX_IDENTITY_LEN;
  if (psk.identity.size() > most)
    refuse(fmt::format("{} has {} bytes; OpenSSL's TLS 1.2 PSK callbacks take at most {}",
                       shown(psk.identity), psk.identity.size(), most));
  if (psk.key.size() > PSK_MAX_PSK_LEN)
    refuse(fmt::format("{}: a {}-byte key; OpenSSL's TLS 1.2 PSK callbacks take at most {}",
                       shown(psk.identity), psk.key.size(), PSK_MAX_PSK_LEN));
}

}  // namespace

void prefer_psk_compatible_suites(SSL_CTX* ctx) {
  SSL_CTX_set_client_hello_cb(ctx, on_client_hello, nullptr);
}

std::vector<PskSettings> make_psk_settings(const EndpointConfig& config, PskUse use) {
  if (use.tls13 && config.role == Role::client && config.psks.size() > 1)
    refuse(
        fmt::format("OpenSSL's client offers one external PSK per ClientHello (the one "
                    "session of SSL_set_psk_use_session_callback), not {}",
                    config.psks.size()));
  std::vector<PskSettings> out;
  for (const auto& psk : config.psks) {
    const auto key = bytes_from_hex(psk.secret_hex);
    out.push_back({psk.identity, std::vector<unsigned char>(key.begin(), key.end()), psk.hash});
    if (use.tls13) check_tls13(out.back());
  }
  // A TLS 1.2 client uses the first PSK only; a server looks any of them up.
  if (use.tls12_suites && !out.empty()) {
    if (config.role == Role::client)
      check_tls12(out.front(), config.role);
    else
      for (const auto& psk : out) check_tls12(psk, config.role);
  }
  return out;
}

void install_psk_callbacks(SSL* ssl, Role role, bool tls12_suites) {
  if (role == Role::client) {
    SSL_set_psk_use_session_callback(ssl, use_session);
    if (tls12_suites) SSL_set_psk_client_callback(ssl, tls12_client);
  } else {
    SSL_set_psk_find_session_callback(ssl, find_session);
    if (tls12_suites) SSL_set_psk_server_callback(ssl, tls12_server);
  }
}

const PskSettings* external_psk_of(const SSL* ssl) {
  const SSL_SESSION* session = SSL_get_session(ssl);
  return session != nullptr
             ? static_cast<const PskSettings*>(SSL_SESSION_get_ex_data(session, marker_index()))
             : nullptr;
}

void unmark_external_psk(SSL_SESSION* session) {
  (void)SSL_SESSION_set_ex_data(session, marker_index(), nullptr);
}

}  // namespace tlsmatrix::openssl
