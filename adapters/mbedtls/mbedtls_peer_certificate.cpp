#include "mbedtls_peer_certificate.hpp"

#include <fmt/format.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <string>

namespace tlsmatrix::mbedtls_adapter {
namespace {

std::string dn_text(const mbedtls_x509_name& name) {
  std::array<char, 1024> text{};
  if (mbedtls_x509_dn_gets(text.data(), text.size(), &name) < 0) return {};
  return text.data();
}

// "ECDSA P-256", "RSA 2048": what the other adapters report.
std::string public_key_summary(const mbedtls_pk_context& key) {
  const std::size_t bits = mbedtls_pk_get_bitlen(&key);
  switch (mbedtls_pk_get_type(&key)) {
    case MBEDTLS_PK_RSA:
      return fmt::format("RSA {}", bits);
    case MBEDTLS_PK_ECKEY:
    case MBEDTLS_PK_ECDSA:
      // The NIST curve names by size; Mbed TLS's X.509 knows only prime curves.
      return bits == 521 || bits == 384 || bits == 256 || bits == 224 || bits == 192
                 ? fmt::format("ECDSA P-{}", bits)
                 : fmt::format("ECDSA {}", bits);
    default:
      return fmt::format("{} {}", mbedtls_pk_get_name(&key), bits);
  }
}

}  // namespace

std::optional<PeerCertificate> peer_certificate(const mbedtls_ssl_context& ssl) {
  const mbedtls_x509_crt* leaf = mbedtls_ssl_get_peer_cert(&ssl);
  if (leaf == nullptr || leaf->raw.len == 0) return std::nullopt;
  PeerCertificate out;
  out.subject = dn_text(leaf->subject);
  out.issuer = dn_text(leaf->issuer);
  out.public_key = public_key_summary(leaf->pk);
  return out;
}

}  // namespace tlsmatrix::mbedtls_adapter
