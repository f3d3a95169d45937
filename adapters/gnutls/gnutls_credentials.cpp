#include "gnutls_credentials.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "gnutls_session_context.hpp"
#include "hex_text.hpp"

namespace tlsmatrix::gnutls_adapter {
namespace {

// Server side of external PSKs: GnuTLS hands over the identity the client offered (any bytes,
// through the *2 datum callback) and asks for its key. For an identity it does not know the
// callback answers 1, the value lib/auth/psk_passwd.c treats as "the user does not exist": the
// library then goes on as with an unknown user of its own password file (gnutls-serv
// --pskpasswd), with a random key. The documentation of
// gnutls_psk_set_server_credentials_function2 says a negative answer means that too, but the
// library aborts on one as a key file error (GNUTLS_E_SRP_PWD_ERROR, internal_error alert).
constexpr int kUnknownIdentity = 1;

int lookup_psk(gnutls_session_t session, const gnutls_datum_t* identity, gnutls_datum_t* key) {
  const SessionContext* ctx = session_context(session);
  if (ctx == nullptr || ctx->psks == nullptr || identity == nullptr) return -1;
  const std::string_view got = as_bytes(*identity);
  const auto known = std::find_if(ctx->psks->begin(), ctx->psks->end(),
                                  [&](const ExternalPsk& p) { return p.identity == got; });
  if (known == ctx->psks->end()) return kUnknownIdentity;
  try {  // nothing may unwind through GnuTLS
    const std::string secret = bytes_from_hex(known->secret_hex);
    key->data = static_cast<unsigned char*>(gnutls_malloc(secret.size()));
    if (key->data == nullptr) return -1;
    std::memcpy(key->data, secret.data(), secret.size());
    key->size = static_cast<unsigned int>(secret.size());
    return 0;
  } catch (...) {
    return -1;
  }
}

// Before 3.8.11 GnuTLS computes every external PSK binder with SHA-256 and has no way to bind a
// key to SHA-384, so such a key would be silently used with the wrong hash. From 3.8.11 on the
// binder hash belongs to the credentials object, so all keys of one endpoint share it.
void require_supported_hashes(const std::vector<ExternalPsk>& psks) {
  for (const auto& psk : psks) {
#if GNUTLS_VERSION_NUMBER < 0x03080b
    if (psk.hash != "SHA256")
      reject("psks", fmt::format("GnuTLS {} binds external PSKs to SHA256 only (selectable "
                                 "binder hashes need GnuTLS 3.8.11)",
                                 library_version()));
#else
    if (psk.hash != psks.front().hash)
      reject("psks", fmt::format("GnuTLS {} binds all PSKs of one credentials object to one "
                                 "binder hash (gnutls_psk_allocate_server_credentials2); the "
                                 "list mixes {} and {}",
                                 library_version(), psks.front().hash, psk.hash));
#endif
  }
}

#if GNUTLS_VERSION_NUMBER >= 0x03080b
gnutls_mac_algorithm_t binder_mac(const std::vector<ExternalPsk>& psks) {
  return psks.front().hash == "SHA384" ? GNUTLS_MAC_SHA384 : GNUTLS_MAC_SHA256;
}
#endif

// GnuTLS client credentials hold one username and key (gnutls_psk_set_client_credentials2, or
// one answer of the credentials callback), and the client offers at most that one external
// PSK besides a resumption ticket.
PskClientCredentialsPtr make_psk_client(const std::vector<ExternalPsk>& psks) {
  if (psks.size() > 1)
    reject("psks", fmt::format("a GnuTLS {} client offers one external PSK: its PSK credentials "
                               "hold one username and key (gnutls_psk_set_client_credentials2); "
                               "{} were asked for",
                               library_version(), psks.size()));
  require_supported_hashes(psks);
  gnutls_psk_client_credentials_t raw = nullptr;
#if GNUTLS_VERSION_NUMBER >= 0x03080b
  require_ok(gnutls_psk_allocate_client_credentials2(&raw, binder_mac(psks)), "psks",
             "allocating PSK credentials");
#else
  require_ok(gnutls_psk_allocate_client_credentials(&raw), "psks", "allocating PSK credentials");
#endif
  PskClientCredentialsPtr cred(raw);
  const std::string secret = bytes_from_hex(psks.front().secret_hex);
  // The datum form takes the identity as bytes, so binary identities (NUL included) work.
  const gnutls_datum_t identity = as_datum(psks.front().identity);
  const gnutls_datum_t key = as_datum(secret);
  require_ok(gnutls_psk_set_client_credentials2(raw, &identity, &key, GNUTLS_PSK_KEY_RAW), "psks",
             "setting the PSK");
  return cred;
}

PskServerCredentialsPtr make_psk_server(const std::vector<ExternalPsk>& psks) {
  require_supported_hashes(psks);
  gnutls_psk_server_credentials_t raw = nullptr;
#if GNUTLS_VERSION_NUMBER >= 0x03080b
  require_ok(gnutls_psk_allocate_server_credentials2(&raw, binder_mac(psks)), "psks",
             "allocating PSK credentials");
#else
  require_ok(gnutls_psk_allocate_server_credentials(&raw), "psks", "allocating PSK credentials");
#endif
  PskServerCredentialsPtr cred(raw);
  gnutls_psk_set_server_credentials_function2(raw, lookup_psk);
  // TLS 1.2 DHE-PSK needs explicit parameters when the client offers no FFDHE group.
  require_ok(gnutls_psk_set_server_known_dh_params(raw, GNUTLS_SEC_PARAM_MEDIUM), "psks",
             "setting DH parameters");
  return cred;
}

}  // namespace

Credentials make_credentials(const EndpointConfig& config) {
  Credentials out;
  gnutls_certificate_credentials_t raw = nullptr;
  require_ok(gnutls_certificate_allocate_credentials(&raw), "certificate",
             "allocating certificate credentials");
  out.certificate.reset(raw);

  if (config.certificate) {
    const gnutls_datum_t chain = as_datum(config.certificate->chain_pem);
    const gnutls_datum_t key = as_datum(config.certificate->key_pem);
    require_ok(
        gnutls_certificate_set_x509_key_mem2(raw, &chain, &key, GNUTLS_X509_FMT_PEM, nullptr, 0),
        "certificate", "loading the chain and key");
  }
  if (!config.trust_anchors_pem.empty()) {
    const gnutls_datum_t anchors = as_datum(config.trust_anchors_pem);
    const int n = gnutls_certificate_set_x509_trust_mem(raw, &anchors, GNUTLS_X509_FMT_PEM);
    require_ok(n, "trust_anchors_pem", "loading the trust anchors");
    if (n == 0) reject("trust_anchors_pem", "no certificate found in the PEM text");
  }
  if (config.role == Role::server) {
    // TLS 1.2 DHE-RSA needs explicit parameters when the client offers no FFDHE group.
    require_ok(gnutls_certificate_set_known_dh_params(raw, GNUTLS_SEC_PARAM_MEDIUM), "certificate",
               "setting DH parameters");
  }

  if (config.cert_with_extern_psk)
    reject("cert_with_extern_psk",
           fmt::format("GnuTLS {} does not implement the tls_cert_with_extern_psk extension "
                       "(RFC 9973, formerly RFC 8773)",
                       library_version()));
  if (!config.psks.empty()) {
    if (config.role == Role::client)
      out.psk_client = make_psk_client(config.psks);
    else
      out.psk_server = make_psk_server(config.psks);
  }
  return out;
}

void attach_credentials(gnutls_session_t session, const Credentials& credentials) {
  require_ok(gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials.certificate.get()),
             "certificate", "attaching credentials");
  if (credentials.psk_client)
    require_ok(gnutls_credentials_set(session, GNUTLS_CRD_PSK, credentials.psk_client.get()),
               "psks", "attaching credentials");
  if (credentials.psk_server)
    require_ok(gnutls_credentials_set(session, GNUTLS_CRD_PSK, credentials.psk_server.get()),
               "psks", "attaching credentials");
}

}  // namespace tlsmatrix::gnutls_adapter
