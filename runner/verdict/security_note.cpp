#include "security_note.hpp"

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "tls_registry.hpp"

namespace tlsmatrix {
namespace {

// What the note's statements stand on, each written once.
constexpr const char* kNoForwardSecrecy =
    "RFC 8446 §2.2 (a PSK handshake gets forward secrecy from the (EC)DHE key_share next to the "
    "PSK)";
constexpr const char* kNoCertificate =
    "RFC 8446 §2.2 (a server authenticating via a PSK sends no Certificate or CertificateVerify)";
constexpr const char* kClassical =
    "draft-ietf-tls-hybrid-design-16 §1 (classical (EC)DHE would be broken by a quantum "
    "computer; hybrids add a post-quantum algorithm)";
constexpr const char* kHybrid =
    "draft-ietf-tls-ecdhe-mlkem-00 §3 (the ECDHE-MLKEM hybrid shares and shared secret)";
constexpr const char* kCertWithPsk =
    "RFC 9973 Abstract ('authenticate with certificates and provide confidentiality based on "
    "encryption with a symmetric key from the usual key agreement algorithm and an external "
    "pre-shared key')";

struct Properties {
  bool forward_secrecy = false;
  bool quantum_resistant_group = false;
  bool certificate = false;
  bool psk = false;
};

int rank_of(const Properties& p) {
  return (p.forward_secrecy ? 8 : 0) + (p.quantum_resistant_group ? 4 : 0) +
         (p.certificate ? 2 : 0) + (p.psk ? 1 : 0);
}

void add(std::string& list, std::string_view item, std::string_view separator) {
  if (!list.empty()) list += separator;
  list += item;
}

}  // namespace

std::optional<SecurityNote> security_note(const CellFacts& facts) {
  if (facts.handshake != HandshakeResult::success) return std::nullopt;
  const auto version = facts.value(Fact::version);
  const auto group = facts.value(Fact::group);
  const auto suite = facts.value(Fact::cipher_suite);
  if (!version) return std::nullopt;
  const auto group_info = group ? group_by_name(*group) : std::nullopt;

  Properties p;
  p.psk = facts.value(Fact::psk_used) == "true";
  p.forward_secrecy = group_info.has_value();
  p.quantum_resistant_group =
      group_info && (group_info->kind == "hybrid" || group_info->kind == "mlkem");
  if (*version == "TLSv1.3")
    p.certificate = !p.psk || facts.value(Fact::cert_with_extern_psk) == "true";
  else  // TLS 1.2: the PSK suites without RSA authenticate by the PSK alone (RFC 4279 §2, §3).
    p.certificate = !p.psk || (suite && suite->starts_with("TLS_RSA_PSK_"));

  std::string text, cite;
  if (p.psk && p.certificate && *version == "TLSv1.3") {
    text = "RFC 9973: certificate + PSK + ";
    text += p.quantum_resistant_group ? "hybrid ML-KEM" : "classical (EC)DHE";
    add(cite, kCertWithPsk, "; ");
  } else if (p.psk && !p.forward_secrecy) {
    text = *version == "TLSv1.3" ? "psk_ke" : "TLS 1.2 PSK without (EC)DHE";
  } else if (p.psk) {
    text = *version == "TLSv1.3" ? "psk_dhe_ke" : "TLS 1.2 (EC)DHE_PSK";
    text += p.quantum_resistant_group ? " with hybrid ML-KEM" : " with classical (EC)DHE";
  } else {
    text = p.quantum_resistant_group ? "hybrid ML-KEM"
           : p.forward_secrecy       ? "classical (EC)DHE"
                                     : "no (EC)DHE";
    text += " + certificate";
  }
  std::string missing;
  if (!p.forward_secrecy) {
    add(missing, "no forward secrecy", ", ");
    add(cite, kNoForwardSecrecy, "; ");
  }
  if (!p.certificate) {
    add(missing, "no certificate authentication", ", ");
    add(cite, kNoCertificate, "; ");
  }
  if (p.forward_secrecy && !p.quantum_resistant_group) {
    add(missing, p.psk ? "(EC)DHE not quantum-resistant" : "not quantum-resistant", ", ");
    add(cite, kClassical, "; ");
  }
  if (p.quantum_resistant_group) add(cite, kHybrid, "; ");
  if (!missing.empty()) text += ": " + missing;
  return SecurityNote{text, cite, rank_of(p)};
}

nlohmann::json to_json(const SecurityNote& note) {
  return {{"text", note.text}, {"cite", note.cite}, {"rank", note.rank}};
}

}  // namespace tlsmatrix
