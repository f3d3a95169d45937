#include "wolfssl_peer_certificate.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#ifdef OPENSSL_EXTRA
#include <wolfssl/openssl/ec.h>
#include <wolfssl/openssl/evp.h>
#endif

namespace tlsmatrix::wolfssl {
namespace {

#ifdef OPENSSL_EXTRA

// RFC 4514: most specific attribute first, "," between them, special characters escaped.
std::string rfc4514(WOLFSSL_X509_NAME* name) {
  std::vector<std::string> parts;
  const int count = wolfSSL_X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    WOLFSSL_X509_NAME_ENTRY* entry = wolfSSL_X509_NAME_get_entry(name, i);
    if (entry == nullptr) continue;
    const int nid = wolfSSL_OBJ_obj2nid(wolfSSL_X509_NAME_ENTRY_get_object(entry));
    const char* short_name = wolfSSL_OBJ_nid2sn(nid);
    WOLFSSL_ASN1_STRING* data = wolfSSL_X509_NAME_ENTRY_get_data(entry);
    if (data == nullptr) continue;
    const auto* bytes = reinterpret_cast<const char*>(wolfSSL_ASN1_STRING_data(data));
    const std::string value(bytes, static_cast<std::size_t>(wolfSSL_ASN1_STRING_length(data)));
    std::string escaped;
    for (std::size_t j = 0; j < value.size(); ++j) {
      const char c = value[j];
      const bool edge = (j == 0 && (c == ' ' || c == '#')) || (j + 1 == value.size() && c == ' ');
      if (edge || c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';')
        escaped += '\\';
      escaped += c;
    }
    parts.push_back(fmt::format("{}={}", short_name ? short_name : "?", escaped));
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += (out.empty() ? "" : ",") + *it;
  return out;
}

std::string describe_key(WOLFSSL_X509* cert) {
  const std::unique_ptr<WOLFSSL_EVP_PKEY, decltype(&wolfSSL_EVP_PKEY_free)> key(
      wolfSSL_X509_get_pubkey(cert), wolfSSL_EVP_PKEY_free);
  if (!key) return "unknown";
  const int bits = wolfSSL_EVP_PKEY_bits(key.get());
  switch (wolfSSL_EVP_PKEY_base_id(key.get())) {
    case EVP_PKEY_RSA:
      return fmt::format("RSA {}", bits);
    case EVP_PKEY_EC: {
      const WOLFSSL_EC_KEY* ec = wolfSSL_EVP_PKEY_get0_EC_KEY(key.get());
      const int nid = ec ? wolfSSL_EC_GROUP_get_curve_name(wolfSSL_EC_KEY_get0_group(ec)) : 0;
      if (nid == NID_X9_62_prime256v1) return "ECDSA P-256";
      if (nid == NID_secp384r1) return "ECDSA P-384";
      if (nid == NID_secp521r1) return "ECDSA P-521";
      const char* sn = wolfSSL_OBJ_nid2sn(nid);
      return fmt::format("ECDSA {}", sn ? sn : std::to_string(bits));
    }
    default: {
      // EdDSA and the rest: the library's short name for the key type says enough.
      const char* sn = wolfSSL_OBJ_nid2sn(wolfSSL_EVP_PKEY_base_id(key.get()));
      return sn ? std::string(sn) : fmt::format("unknown {}", bits);
    }
  }
}

#endif  // OPENSSL_EXTRA

}  // namespace

std::optional<PeerCertificate> summarize_peer_certificate(WOLFSSL* ssl) {
  const X509Ptr cert(wolfSSL_get_peer_certificate(ssl));
  if (!cert) return std::nullopt;
  PeerCertificate out;
#ifdef OPENSSL_EXTRA
  out.subject = rfc4514(wolfSSL_X509_get_subject_name(cert.get()));
  out.issuer = rfc4514(wolfSSL_X509_get_issuer_name(cert.get()));
  out.public_key = describe_key(cert.get());
#else
  // Without the compatibility layer only wolfSSL's "/O=.../CN=..." form is available.
  char buf[512];
  const auto oneline = [&](WOLFSSL_X509_NAME* name) {
    const char* text = wolfSSL_X509_NAME_oneline(name, buf, sizeof buf);
    return std::string(text ? text : "");
  };
  out.subject = oneline(wolfSSL_X509_get_subject_name(cert.get()));
  out.issuer = oneline(wolfSSL_X509_get_issuer_name(cert.get()));
  out.public_key = "unknown";
#endif
  return out;
}

}  // namespace tlsmatrix::wolfssl
