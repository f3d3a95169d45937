#include "openssl_probe.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string>

#include "openssl_endpoint.hpp"
#include "openssl_handles.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::openssl {
namespace {

enum class Progress { running, done, failed };

void step(SSL* ssl, Progress& progress) {
  if (progress != Progress::running) return;
  const int ret = SSL_do_handshake(ssl);
  if (ret == 1) {
    progress = Progress::done;
    return;
  }
  const int err = SSL_get_error(ssl, ret);
  if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) progress = Progress::failed;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

MemoryHandshake handshake_in_memory(const EndpointConfig& client_config,
                                    const EndpointConfig& server_config) {
  MemoryHandshake result;
  try {
    Endpoint client(client_config);
    Endpoint server(server_config);
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    if (BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) return result;
    SSL_set_bio(client.ssl(), client_bio, client_bio);
    SSL_set_bio(server.ssl(), server_bio, server_bio);

    Progress c = Progress::running;
    Progress s = Progress::running;
    // Each round moves at least one flight when anything can move; a dozen is plenty even
    // with an HRR, and the bound keeps a stuck pair from spinning.
    for (int round = 0; round < 16 && (c == Progress::running || s == Progress::running); ++round) {
      step(client.ssl(), c);
      step(server.ssl(), s);
    }
    result.client_ok = c == Progress::done;
    result.server_ok = s == Progress::done;
    if (result.client_ok && result.server_ok) {
      // TLS 1.3 tickets follow the handshake; a read with no data pending consumes them.
      unsigned char buf[64];
      std::size_t n = 0;
      (void)SSL_read_ex(client.ssl(), buf, sizeof buf, &n);
    }
    client.describe(result.client, result.client_ok);
    server.describe(result.server, result.server_ok);
    result.tickets_received = client.observer().tickets_received;
  } catch (const ConfigRejected&) {
    result = MemoryHandshake{};
  }
  ERR_clear_error();
  return result;
}

CertifiedKey make_self_signed(std::string_view dns_name) {
  const std::string name(dns_name);
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) return {};
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  X509_set_pubkey(cert.get(), key.get());
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  if (X509_EXTENSION* san =
          X509V3_EXT_nconf_nid(nullptr, &v3, NID_subject_alt_name, ("DNS:" + name).c_str())) {
    X509_add_ext(cert.get(), san, -1);
    X509_EXTENSION_free(san);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return {};

  BioPtr cert_pem(BIO_new(BIO_s_mem()));
  BioPtr key_pem(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cert_pem.get(), cert.get());
  PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  ERR_clear_error();
  return CertifiedKey{bio_text(cert_pem.get()), bio_text(key_pem.get())};
}

}  // namespace tlsmatrix::openssl
