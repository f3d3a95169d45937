#include "openssl_psk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "openssl_observer.hpp"
#include "pre_shared_key.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::openssl {
namespace {

const PskSettings* psk_of(const SSL* ssl) {
  const auto* observer = SslObserver::of(ssl);
  return observer != nullptr ? observer->psk : nullptr;
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
      SSL_SESSION_set_protocol_version(session, TLS1_3_VERSION) != 1) {
    SSL_SESSION_free(session);
    return nullptr;
  }
  return session;
}

int use_session(SSL* ssl, const EVP_MD* md, const unsigned char** id, std::size_t* id_len,
                SSL_SESSION** session) {
  *session = nullptr;
  const PskSettings* psk = psk_of(ssl);
  // After an HRR the server has fixed the hash; a PSK bound to another one cannot be offered.
  if (psk == nullptr || (md != nullptr && !EVP_MD_is_a(md, psk->hash.c_str()))) return 1;
  *session = new_psk_session(ssl, *psk);
  *id = reinterpret_cast<const unsigned char*>(psk->identity.data());
  *id_len = psk->identity.size();
  return *session != nullptr ? 1 : 0;
}

int find_session(SSL* ssl, const unsigned char* id, std::size_t id_len, SSL_SESSION** session) {
  *session = nullptr;
  const PskSettings* psk = psk_of(ssl);
  if (psk == nullptr || id_len != psk->identity.size() ||
      std::memcmp(id, psk->identity.data(), id_len) != 0)
    return 1;  // unknown identity: carry on without a PSK
  *session = new_psk_session(ssl, *psk);
  return *session != nullptr ? 1 : 0;
}

unsigned int copy_key(const PskSettings& psk, unsigned char* out, unsigned int max_len) {
  if (psk.key.size() > max_len) return 0;
  std::copy(psk.key.begin(), psk.key.end(), out);
  return static_cast<unsigned int>(psk.key.size());
}

unsigned int tls12_client(SSL* ssl, const char* /*hint*/, char* identity,
                          unsigned int max_identity_len, unsigned char* key,
                          unsigned int max_key_len) {
  const PskSettings* psk = psk_of(ssl);
  if (psk == nullptr || psk->identity.size() + 1 > max_identity_len) return 0;
  std::memcpy(identity, psk->identity.c_str(), psk->identity.size() + 1);
  return copy_key(*psk, key, max_key_len);
}

unsigned int tls12_server(SSL* ssl, const char* identity, unsigned char* key,
                          unsigned int max_key_len) {
  const PskSettings* psk = psk_of(ssl);
  if (psk == nullptr || identity == nullptr || psk->identity != identity) return 0;
  return copy_key(*psk, key, max_key_len);
}

// Whether the ClientHello's pre_shared_key extension lists `identity`. OpenSSL hands over the
// extension's bytes only; the wire library reads them.
bool offers_identity(SSL* ssl, const std::string& identity) {
  const unsigned char* data = nullptr;
  std::size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_psk, &data, &len) != 1) return false;
  const auto offered = wire::read_offered_psks({data, len});
  return std::any_of(offered.identities.begin(), offered.identities.end(), [&](const auto& id) {
    return std::equal(id.begin(), id.end(), identity.begin(), identity.end(),
                      [](std::uint8_t a, char b) { return a == static_cast<unsigned char>(b); });
  });
}

int on_client_hello(SSL* ssl, int* /*alert*/, void* /*arg*/) {
  const PskSettings* psk = psk_of(ssl);
  if (psk == nullptr || !offers_identity(ssl, psk->identity)) return SSL_CLIENT_HELLO_SUCCESS;
  std::string compatible;
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    if (SSL_CIPHER_get_kx_nid(c) != NID_kx_any || !digest_matches(c, psk->hash)) continue;
    if (!compatible.empty()) compatible += ':';
    compatible += SSL_CIPHER_standard_name(c);
  }
  // With no compatible suite configured the PSK cannot be used anyway; leave the list alone.
  if (!compatible.empty()) (void)SSL_set_ciphersuites(ssl, compatible.c_str());
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

void prefer_psk_compatible_suites(SSL_CTX* ctx) {
  SSL_CTX_set_client_hello_cb(ctx, on_client_hello, nullptr);
}

PskSettings make_psk_settings(const ExternalPsk& psk) {
  PskSettings out;
  out.identity = psk.identity;
  out.hash = psk.hash;
  long len = 0;
  unsigned char* key = OPENSSL_hexstr2buf(psk.secret_hex.c_str(), &len);
  if (key == nullptr) throw ConfigRejected("psk", "OpenSSL cannot decode secret_hex as hex");
  out.key.assign(key, key + len);
  OPENSSL_free(key);
  // OpenSSL carries a TLS 1.3 external PSK as a session's master key, which has a fixed size.
  if (out.key.size() > SSL_MAX_MASTER_KEY_LENGTH)
    throw ConfigRejected("psk", fmt::format("a {}-byte key; OpenSSL takes at most {}",
                                            out.key.size(), SSL_MAX_MASTER_KEY_LENGTH));
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

}  // namespace tlsmatrix::openssl
