#include "wolfssl_names.hpp"

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "tls_registry.hpp"

namespace tlsmatrix::wolfssl {
namespace {

// wolfSSL numbers its named groups by their IANA code points, so the code is the id. These
// assertions pin that down wherever this wolfSSL release names the group: a renumbering then
// breaks the build instead of silently probing the wrong group.
static_assert(WOLFSSL_ECC_SECP256R1 == 23 && WOLFSSL_ECC_SECP384R1 == 24 &&
              WOLFSSL_ECC_SECP521R1 == 25);
static_assert(WOLFSSL_ECC_X25519 == 29 && WOLFSSL_ECC_X448 == 30);
static_assert(WOLFSSL_FFDHE_2048 == 256 && WOLFSSL_FFDHE_3072 == 257 && WOLFSSL_FFDHE_4096 == 258 &&
              WOLFSSL_FFDHE_6144 == 259 && WOLFSSL_FFDHE_8192 == 260);
#if LIBWOLFSSL_VERSION_HEX >= 0x05009000  // TLS 1.3 brainpool code points arrived in 5.9.0
static_assert(WOLFSSL_ECC_BRAINPOOLP256R1TLS13 == 31 && WOLFSSL_ECC_BRAINPOOLP384R1TLS13 == 32 &&
              WOLFSSL_ECC_BRAINPOOLP512R1TLS13 == 33);
#endif
#ifdef WOLFSSL_HAVE_MLKEM
static_assert(WOLFSSL_ML_KEM_512 == 0x0200 && WOLFSSL_ML_KEM_768 == 0x0201 &&
              WOLFSSL_ML_KEM_1024 == 0x0202);
static_assert(WOLFSSL_SECP256R1MLKEM768 == 0x11EB && WOLFSSL_X25519MLKEM768 == 0x11EC &&
              WOLFSSL_SECP384R1MLKEM1024 == 0x11ED);
#endif

// Lower case without separators, so "FFDHE_2048" meets "ffdhe2048" and "ML_KEM_768" meets
// "MLKEM768".
std::string fold(std::string_view name) {
  std::string out;
  for (const char c : name)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int group_id(std::uint16_t iana_code) {
  return iana_code;
}

std::optional<std::uint16_t> group_code_from_curve_name(std::string_view curve_name, bool tls13) {
  const std::string folded = fold(curve_name);
  for (const auto& g : known_groups()) {
    const std::string known = fold(g.name);
    if (known == folded || (tls13 && known == folded + "tls13")) return g.code;
  }
  return std::nullopt;
}

std::optional<std::string> suite_internal_name(std::uint16_t iana_code) {
  const char* name = wolfSSL_get_cipher_name_from_suite(
      static_cast<unsigned char>(iana_code >> 8), static_cast<unsigned char>(iana_code & 0xFF));
  if (name == nullptr || std::string_view(name) == "None") return std::nullopt;
  return std::string(name);
}

std::optional<int> version_code(std::string_view name) {
  const auto v = version_by_name(name);
  if (!v) return std::nullopt;
  return v->code;
}

std::optional<std::string> version_name_from_wolfssl(int wolfssl_version) {
  switch (wolfssl_version) {
    case WOLFSSL_TLSV1:
      return "TLSv1.0";
    case WOLFSSL_TLSV1_1:
      return "TLSv1.1";
    case WOLFSSL_TLSV1_2:
      return "TLSv1.2";
    case WOLFSSL_TLSV1_3:
      return "TLSv1.3";
    default:
      return std::nullopt;
  }
}

}  // namespace tlsmatrix::wolfssl
