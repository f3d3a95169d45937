#include "openssl_names.hpp"

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "openssl_handles.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::openssl {
namespace {

struct GroupSpelling {
  std::string_view iana;
  std::string_view openssl;  // OpenSSL's TLS group name happens to equal IANA's for all of these
  int nid;                   // NID_undef where OpenSSL has none (it then reports the code itself)
};

constexpr std::array kGroups = {
    GroupSpelling{"secp256r1", "secp256r1", NID_X9_62_prime256v1},
    GroupSpelling{"secp384r1", "secp384r1", NID_secp384r1},
    GroupSpelling{"secp521r1", "secp521r1", NID_secp521r1},
    GroupSpelling{"x25519", "x25519", NID_X25519},
    GroupSpelling{"x448", "x448", NID_X448},
    GroupSpelling{"ffdhe2048", "ffdhe2048", NID_ffdhe2048},
    GroupSpelling{"ffdhe3072", "ffdhe3072", NID_ffdhe3072},
    GroupSpelling{"ffdhe4096", "ffdhe4096", NID_ffdhe4096},
    GroupSpelling{"ffdhe6144", "ffdhe6144", NID_ffdhe6144},
    GroupSpelling{"ffdhe8192", "ffdhe8192", NID_ffdhe8192},
    GroupSpelling{"brainpoolP256r1tls13", "brainpoolP256r1tls13", NID_undef},
    GroupSpelling{"brainpoolP384r1tls13", "brainpoolP384r1tls13", NID_undef},
    GroupSpelling{"brainpoolP512r1tls13", "brainpoolP512r1tls13", NID_undef},
    GroupSpelling{"MLKEM512", "MLKEM512", NID_undef},
    GroupSpelling{"MLKEM768", "MLKEM768", NID_undef},
    GroupSpelling{"MLKEM1024", "MLKEM1024", NID_undef},
    GroupSpelling{"SecP256r1MLKEM768", "SecP256r1MLKEM768", NID_undef},
    GroupSpelling{"X25519MLKEM768", "X25519MLKEM768", NID_undef},
    GroupSpelling{"SecP384r1MLKEM1024", "SecP384r1MLKEM1024", NID_undef},
};

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::uint16_t> code_of(std::string_view iana_name) {
  const auto g = group_by_name(iana_name);
  return g ? std::optional(g->code) : std::nullopt;
}

// IANA cipher suite name -> OpenSSL name, read once from the library's full cipher table.
const std::map<std::string, std::string, std::less<>>& tls12_cipher_table() {
  static const auto table = [] {
    std::map<std::string, std::string, std::less<>> out;
    SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
    if (!ctx || SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL") != 1) return out;
    const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
      if (SSL_CIPHER_get_kx_nid(c) == NID_kx_any) continue;  // TLS 1.3 suites go by IANA name
      if (const char* standard = SSL_CIPHER_standard_name(c))
        out.emplace(standard, SSL_CIPHER_get_name(c));
    }
    return out;
  }();
  return table;
}

}  // namespace

std::string openssl_group_name(std::string_view iana_name) {
  for (const auto& g : kGroups)
    if (g.iana == iana_name) return std::string(g.openssl);
  return std::string(iana_name);
}

std::optional<std::uint16_t> group_code_from_openssl_name(std::string_view name) {
  for (const auto& g : kGroups) {
    if (iequals(name, g.iana) || iequals(name, g.openssl)) return code_of(g.iana);
    if (g.nid == NID_undef) continue;
    // OpenSSL also reports groups by curve short name ("prime256v1") or NIST name ("P-256").
    const char* sn = OBJ_nid2sn(g.nid);
    const char* nist = EC_curve_nid2nist(g.nid);
    if ((sn != nullptr && iequals(name, sn)) || (nist != nullptr && iequals(name, nist)))
      return code_of(g.iana);
  }
  return std::nullopt;
}

std::optional<std::uint16_t> group_code_from_nid(int nid) {
  if (nid == NID_undef) return std::nullopt;
  if ((nid & TLSEXT_nid_unknown) != 0) return static_cast<std::uint16_t>(nid & 0xffff);
  for (const auto& g : kGroups)
    if (g.nid != NID_undef && g.nid == nid) return code_of(g.iana);
  return std::nullopt;
}

std::optional<std::string> openssl_tls12_cipher_name(std::string_view iana_name) {
  const auto& table = tls12_cipher_table();
  const auto it = table.find(iana_name);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

std::optional<int> openssl_version(std::string_view name) {
  // OpenSSL's version constants are the wire codes the registry already holds.
  const auto v = version_by_name(name);
  return v ? std::optional<int>(v->code) : std::nullopt;
}

}  // namespace tlsmatrix::openssl
