#include "gnutls_peer_certificate.hpp"

#include <fmt/format.h>

#include "gnutls_util.hpp"

namespace tlsmatrix::gnutls_adapter {
namespace {

// NIST curves go by their FIPS 186 names, as OpenSSL and most reports print them.
std::string curve_display_name(gnutls_ecc_curve_t curve) {
  switch (curve) {
    case GNUTLS_ECC_CURVE_SECP256R1:
      return "P-256";
    case GNUTLS_ECC_CURVE_SECP384R1:
      return "P-384";
    case GNUTLS_ECC_CURVE_SECP521R1:
      return "P-521";
    default: {
      const char* name = gnutls_ecc_curve_get_name(curve);
      return name != nullptr ? name : "unknown curve";
    }
  }
}

std::string public_key_summary(gnutls_x509_crt_t crt) {
  unsigned int bits = 0;
  const int algo = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
  switch (algo) {
    case GNUTLS_PK_RSA:
      return fmt::format("RSA {}", bits);
    case GNUTLS_PK_RSA_PSS:
      return fmt::format("RSA-PSS {}", bits);
    case GNUTLS_PK_ECDSA: {
      gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
      gnutls_datum_t x{nullptr, 0}, y{nullptr, 0};
      if (gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, &x, &y) < 0) return "ECDSA";
      take_datum(x);
      take_datum(y);
      return "ECDSA " + curve_display_name(curve);
    }
    case GNUTLS_PK_EDDSA_ED25519:
      return "Ed25519";
    case GNUTLS_PK_EDDSA_ED448:
      return "Ed448";
    default: {
      const char* name =
          algo < 0 ? nullptr : gnutls_pk_get_name(static_cast<gnutls_pk_algorithm_t>(algo));
      return fmt::format("{} {}", name != nullptr ? name : "unknown", bits);
    }
  }
}

}  // namespace

std::optional<PeerCertificate> peer_certificate(gnutls_session_t session) {
  unsigned int count = 0;
  const gnutls_datum_t* chain = gnutls_certificate_get_peers(session, &count);
  if (chain == nullptr || count == 0) return std::nullopt;

  gnutls_x509_crt_t raw = nullptr;
  if (gnutls_x509_crt_init(&raw) < 0) return std::nullopt;
  X509CertificatePtr crt(raw);
  if (gnutls_x509_crt_import(raw, &chain[0], GNUTLS_X509_FMT_DER) < 0) return std::nullopt;

  PeerCertificate out;
  gnutls_datum_t dn{nullptr, 0};
  if (gnutls_x509_crt_get_dn3(raw, &dn, 0) >= 0) out.subject = take_datum(dn);
  if (gnutls_x509_crt_get_issuer_dn3(raw, &dn, 0) >= 0) out.issuer = take_datum(dn);
  out.public_key = public_key_summary(raw);
  return out;
}

}  // namespace tlsmatrix::gnutls_adapter
