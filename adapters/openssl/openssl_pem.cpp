#include "openssl_pem.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace tlsmatrix::openssl {
namespace {

BioPtr memory_bio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace

std::vector<X509Ptr> read_certificates(std::string_view pem) {
  std::vector<X509Ptr> certs;
  const auto bio = memory_bio(pem);
  if (!bio) return certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    certs.emplace_back(cert);
  // Running out of PEM blocks ends the loop with a "no start line" entry; that is not an error
  // once at least one certificate was read.
  const unsigned long last = ERR_peek_last_error();
  if (!certs.empty() && ERR_GET_LIB(last) == ERR_LIB_PEM &&
      ERR_GET_REASON(last) == PEM_R_NO_START_LINE)
    ERR_clear_error();
  return certs;
}

PkeyPtr read_private_key(std::string_view pem) {
  const auto bio = memory_bio(pem);
  if (!bio) return nullptr;
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

X509StorePtr make_trust_store(std::string_view pem) {
  X509StorePtr store(X509_STORE_new());
  if (!store || pem.empty()) return store;
  const auto certs = read_certificates(pem);
  if (certs.empty()) return nullptr;
  for (const auto& cert : certs)
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) return nullptr;
  return store;
}

}  // namespace tlsmatrix::openssl
