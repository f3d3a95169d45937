#include "gnutls_credentials.hpp"

#include <fmt/format.h>

#include <cstring>

#include "gnutls_session_context.hpp"

namespace tlsmatrix::gnutls_adapter {
namespace {

// Server side of an external PSK: GnuTLS asks for the key of whatever identity the client sent.
int lookup_psk(gnutls_session_t session, const gnutls_datum_t* identity, gnutls_datum_t* key) {
  const SessionContext* ctx = session_context(session);
  if (ctx == nullptr || ctx->psk == nullptr || identity == nullptr) return -1;
  const std::string_view got(reinterpret_cast<const char*>(identity->data), identity->size);
  if (got != ctx->psk->identity) return -1;
  try {  // nothing may unwind through GnuTLS
    const std::string secret = from_hex(ctx->psk->secret_hex);
    key->data = static_cast<unsigned char*>(gnutls_malloc(secret.size()));
    if (key->data == nullptr) return -1;
    std::memcpy(key->data, secret.data(), secret.size());
    key->size = static_cast<unsigned int>(secret.size());
    return 0;
  } catch (...) {
    return -1;
  }
}

#if GNUTLS_VERSION_NUMBER >= 0x03080b
gnutls_mac_algorithm_t binder_mac(const ExternalPsk& psk) {
  return psk.hash == "SHA384" ? GNUTLS_MAC_SHA384 : GNUTLS_MAC_SHA256;
}
#endif

// Before 3.8.11 GnuTLS computes every external PSK binder with SHA-256 and has no way to bind a
// key to SHA-384, so such a key would be silently used with the wrong hash.
void require_supported_hash(const ExternalPsk& psk) {
#if GNUTLS_VERSION_NUMBER < 0x03080b
  if (psk.hash != "SHA256")
    reject("psk", fmt::format("GnuTLS {} binds external PSKs to SHA256 only (selectable "
                              "binder hashes need GnuTLS 3.8.11)",
                              library_version()));
#else
  (void)psk;
#endif
}

PskClientCredentialsPtr make_psk_client(const ExternalPsk& psk) {
  gnutls_psk_client_credentials_t raw = nullptr;
#if GNUTLS_VERSION_NUMBER >= 0x03080b
  require_ok(gnutls_psk_allocate_client_credentials2(&raw, binder_mac(psk)), "psk",
             "allocating PSK credentials");
#else
  require_ok(gnutls_psk_allocate_client_credentials(&raw), "psk", "allocating PSK credentials");
#endif
  PskClientCredentialsPtr cred(raw);
  const std::string secret = from_hex(psk.secret_hex);
  const gnutls_datum_t identity = as_datum(psk.identity);
  const gnutls_datum_t key = as_datum(secret);
  require_ok(gnutls_psk_set_client_credentials2(raw, &identity, &key, GNUTLS_PSK_KEY_RAW), "psk",
             "setting the PSK");
  return cred;
}

PskServerCredentialsPtr make_psk_server([[maybe_unused]] const ExternalPsk& psk) {
  gnutls_psk_server_credentials_t raw = nullptr;
#if GNUTLS_VERSION_NUMBER >= 0x03080b
  require_ok(gnutls_psk_allocate_server_credentials2(&raw, binder_mac(psk)), "psk",
             "allocating PSK credentials");
#else
  require_ok(gnutls_psk_allocate_server_credentials(&raw), "psk", "allocating PSK credentials");
#endif
  PskServerCredentialsPtr cred(raw);
  gnutls_psk_set_server_credentials_function2(raw, lookup_psk);
  // TLS 1.2 DHE-PSK needs explicit parameters when the client offers no FFDHE group.
  require_ok(gnutls_psk_set_server_known_dh_params(raw, GNUTLS_SEC_PARAM_MEDIUM), "psk",
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

  if (config.psk) {
    require_supported_hash(*config.psk);
    if (config.role == Role::client)
      out.psk_client = make_psk_client(*config.psk);
    else
      out.psk_server = make_psk_server(*config.psk);
  }
  return out;
}

void attach_credentials(gnutls_session_t session, const Credentials& credentials) {
  require_ok(gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials.certificate.get()),
             "certificate", "attaching credentials");
  if (credentials.psk_client)
    require_ok(gnutls_credentials_set(session, GNUTLS_CRD_PSK, credentials.psk_client.get()), "psk",
               "attaching credentials");
  if (credentials.psk_server)
    require_ok(gnutls_credentials_set(session, GNUTLS_CRD_PSK, credentials.psk_server.get()), "psk",
               "attaching credentials");
}

}  // namespace tlsmatrix::gnutls_adapter
