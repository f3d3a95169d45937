#include "nss_credentials.hpp"

#include <base64.h>
#include <certdb.h>
#include <fmt/format.h>
#include <pk11pub.h>
#include <secerr.h>
#include <secoid.h>
#include <secport.h>

#include <array>
#include <string_view>

#include "nss_library.hpp"

namespace tlsmatrix::nss_adapter {
namespace {

struct PemBlock {
  std::string label;  // "CERTIFICATE", "PRIVATE KEY", ...
  std::string der;
};

// Every "-----BEGIN label-----" ... "-----END label-----" block of `pem`, decoded.
std::vector<PemBlock> pem_blocks(std::string_view pem, std::string_view setting) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kDashes = "-----";
  std::vector<PemBlock> blocks;
  std::size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
    const std::size_t label_start = pos + kBegin.size();
    const std::size_t label_end = pem.find(kDashes, label_start);
    if (label_end == std::string_view::npos) reject(setting, "a PEM header is not terminated");
    const std::string label(pem.substr(label_start, label_end - label_start));
    const std::string end_marker = fmt::format("-----END {}-----", label);
    const std::size_t body_start = label_end + kDashes.size();
    const std::size_t body_end = pem.find(end_marker, body_start);
    if (body_end == std::string_view::npos)
      reject(setting, fmt::format("no END line for {}", label));
    const std::string body(pem.substr(body_start, body_end - body_start));
    unsigned int length = 0;
    unsigned char* der = ATOB_AsciiToData(body.c_str(), &length);
    if (der == nullptr)
      reject(setting, fmt::format("the base64 of a PEM {} does not decode", label));
    blocks.push_back({label, std::string(reinterpret_cast<const char*>(der), length)});
    PORT_Free(der);
    pos = body_end + end_marker.size();
  }
  return blocks;
}

SECItem as_item(std::string& bytes) {
  return {siBuffer, reinterpret_cast<unsigned char*>(bytes.data()),
          static_cast<unsigned int>(bytes.size())};
}

// Each CERTIFICATE block as a temporary certificate (in memory only, found by chain building).
std::vector<CertificatePtr> import_certificates(std::string_view pem, std::string_view setting) {
  std::vector<CertificatePtr> out;
  for (auto& block : pem_blocks(pem, setting)) {
    if (block.label != "CERTIFICATE") continue;
    SECItem der = as_item(block.der);
    CERTCertificate* cert =
        CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &der, nullptr, PR_FALSE, PR_TRUE);
    require_ok(cert != nullptr, setting, "importing a certificate");
    out.emplace_back(cert);
  }
  return out;
}

// The PKCS#8 key as a session object of the internal slot (isPerm false: never stored).
PrivateKeyPtr import_private_key(std::string_view pem) {
  for (auto& block : pem_blocks(pem, "certificate")) {
    if (block.label != "PRIVATE KEY")
      reject("certificate",
             fmt::format("NSS imports PKCS#8 keys (PRIVATE KEY), not {}", block.label));
    PK11SlotInfo* slot = PK11_GetInternalSlot();
    SECItem der = as_item(block.der);
    SECKEYPrivateKey* key = nullptr;
    const SECStatus rv = PK11_ImportDERPrivateKeyInfoAndReturnKey(
        slot, &der, nullptr, nullptr, PR_FALSE, PR_TRUE, KU_ALL, &key, nullptr);
    PK11_FreeSlot(slot);
    require_ok(rv == SECSuccess && key != nullptr, "certificate", "importing the private key");
    return PrivateKeyPtr(key);
  }
  reject("certificate", "no PRIVATE KEY block in key_pem");
}

// No revocation checking: the suite's PKI publishes no CRL or OCSP responder.
CERTRevocationFlags no_revocation_checks(std::array<PRUint64, 2>& per_method) {
  per_method.fill(CERT_REV_M_DO_NOT_TEST_USING_THIS_METHOD);
  CERTRevocationTests tests{};
  tests.number_of_defined_methods = static_cast<PRUint32>(per_method.size());
  tests.cert_rev_flags_per_method = per_method.data();
  tests.number_of_preferred_methods = 0;
  tests.preferred_methods = nullptr;
  tests.cert_rev_method_independent_flags = CERT_REV_MI_NO_OVERALL_INFO_REQUIREMENT;
  return {tests, tests};
}

std::string curve_display_name(SECKEYPublicKey* key) {
  // The parameters are the DER of the curve's OID: tag, length, then the OID's bytes.
  const SECItem& params = key->u.ec.DEREncodedParams;
  if (params.len < 2 || params.data[0] != SEC_ASN1_OBJECT_ID) return "unknown curve";
  SECItem oid{siBuffer, params.data + 2, params.len - 2};
  switch (SECOID_FindOIDTag(&oid)) {
    case SEC_OID_ANSIX962_EC_PRIME256V1:
      return "P-256";
    case SEC_OID_SECG_EC_SECP384R1:
      return "P-384";
    case SEC_OID_SECG_EC_SECP521R1:
      return "P-521";
    default:
      return "unknown curve";
  }
}

std::string public_key_summary(CERTCertificate* cert) {
  SECKEYPublicKey* key = CERT_ExtractPublicKey(cert);
  if (key == nullptr) return "unknown";
  std::string out;
  switch (key->keyType) {
    case rsaKey:
      out = fmt::format("RSA {}", SECKEY_PublicKeyStrengthInBits(key));
      break;
    case rsaPssKey:
      out = fmt::format("RSA-PSS {}", SECKEY_PublicKeyStrengthInBits(key));
      break;
    case ecKey:
      out = "ECDSA " + curve_display_name(key);
      break;
    default:
      out = fmt::format("key type {} {}", static_cast<int>(key->keyType),
                        SECKEY_PublicKeyStrengthInBits(key));
      break;
  }
  SECKEY_DestroyPublicKey(key);
  return out;
}

}  // namespace

Credentials make_credentials(const EndpointConfig& config) {
  Credentials out;
  if (config.certificate) {
    out.chain = import_certificates(config.certificate->chain_pem, "certificate");
    if (out.chain.empty()) reject("certificate", "no CERTIFICATE block in chain_pem");
    out.key = import_private_key(config.certificate->key_pem);
  }
  out.anchors = import_certificates(config.trust_anchors_pem, "trust_anchors_pem");
  if (config.role == Role::client) out.expected_name = config.server_name;
  return out;
}

bool verify_peer(const Credentials& credentials, CERTCertificate* peer, SECCertificateUsage usage) {
  // An empty anchor list would let NSS fall back to its own trust settings.
  if (credentials.anchors.empty()) {
    PORT_SetError(SEC_ERROR_UNKNOWN_ISSUER);
    return false;
  }
  CERTCertList* anchors = CERT_NewCertList();
  if (anchors == nullptr) return false;
  for (const auto& anchor : credentials.anchors)
    CERT_AddCertToListTail(anchors, CERT_DupCertificate(anchor.get()));
  std::array<PRUint64, 2> per_method{};
  CERTRevocationFlags revocation = no_revocation_checks(per_method);
  std::array<CERTValInParam, 3> in{};
  in[0].type = cert_pi_trustAnchors;
  in[0].value.pointer.chain = anchors;
  in[1].type = cert_pi_revocationFlags;
  in[1].value.pointer.revocation = &revocation;
  in[2].type = cert_pi_end;
  std::array<CERTValOutParam, 1> out{};
  out[0].type = cert_po_end;
  const SECStatus rv = CERT_PKIXVerifyCert(peer, usage, in.data(), out.data(), nullptr);
  const PRErrorCode error = PORT_GetError();
  CERT_DestroyCertList(anchors);
  if (rv != SECSuccess) {
    PORT_SetError(error);
    return false;
  }
  if (!credentials.expected_name.empty())
    return CERT_VerifyCertName(peer, credentials.expected_name.c_str()) == SECSuccess;
  return true;
}

PeerCertificate describe_certificate(CERTCertificate* cert) {
  PeerCertificate out;
  if (cert->subjectName != nullptr) out.subject = cert->subjectName;
  if (cert->issuerName != nullptr) out.issuer = cert->issuerName;
  out.public_key = public_key_summary(cert);
  return out;
}

}  // namespace tlsmatrix::nss_adapter
