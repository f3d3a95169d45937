#include "botan_peer_certificate.hpp"

#include <botan/ec_group.h>
#include <botan/ecc_key.h>
#include <botan/pk_keys.h>
#include <botan/pkix_types.h>
#include <botan/version.h>
#include <fmt/format.h>

#include <map>

namespace tlsmatrix::botan_adapter {
namespace {

// RFC 4514 short names of the attributes Botan spells "X520.CommonName" and the like.
std::string short_attribute_name(const std::string& botan_name) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"X520.CommonName", "CN"}, {"X520.Organization", "O"}, {"X520.OrganizationalUnit", "OU"},
      {"X520.Country", "C"},     {"X520.Locality", "L"},     {"X520.State", "ST"},
  };
  const auto it = kNames.find(botan_name);
  return it != kNames.end() ? it->second : botan_name;
}

// The (attribute, value) pairs of a DN in encoding order. Botan 3.13 groups them by RDN
// (rdns()) and deprecates the flat dn_info() that 3.12 has.
std::vector<std::pair<Botan::OID, Botan::ASN1_String>> attributes_of(const Botan::X509_DN& dn) {
#if BOTAN_VERSION_CODE >= BOTAN_VERSION_CODE_FOR(3, 13, 0)
  std::vector<std::pair<Botan::OID, Botan::ASN1_String>> out;
  for (const auto& rdn : dn.rdns()) out.insert(out.end(), rdn.begin(), rdn.end());
  return out;
#else
  return dn.dn_info();
#endif
}

// RFC 4514 order: the last RDN first.
std::string dn_text(const Botan::X509_DN& dn) {
  std::string out;
  const auto rdns = attributes_of(dn);
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    if (!out.empty()) out += ",";
    out += short_attribute_name(it->first.to_formatted_string()) + "=" + it->second.value();
  }
  return out;
}

// The NIST name of a curve where it has one ("secp256r1" -> "P-256").
std::string curve_name(const std::string& name) {
  if (name == "secp256r1") return "P-256";
  if (name == "secp384r1") return "P-384";
  if (name == "secp521r1") return "P-521";
  return name;
}

std::string public_key_summary(const Botan::X509_Certificate& cert) {
  const auto key = cert.subject_public_key();
  const std::string algo = key->algo_name();
  if (const auto* ec = dynamic_cast<const Botan::EC_PublicKey*>(key.get()))
    return fmt::format("{} {}", algo,
                       curve_name(ec->domain().get_curve_oid().to_formatted_string()));
  if (algo == "RSA") return fmt::format("RSA {}", key->key_length());
  return algo;
}

}  // namespace

PeerCertificate describe_certificate(const Botan::X509_Certificate& cert) {
  return {dn_text(cert.subject_dn()), dn_text(cert.issuer_dn()), public_key_summary(cert)};
}

}  // namespace tlsmatrix::botan_adapter
