#include "tls_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace tlsmatrix {
namespace {

// IANA "TLS Supported Groups"; hybrid and ML-KEM code points from draft-ietf-tls-ecdhe-mlkem
// and draft-ietf-tls-mlkem.
constexpr std::array kGroups = {
    GroupInfo{23, "secp256r1", "ecdhe"},
    GroupInfo{24, "secp384r1", "ecdhe"},
    GroupInfo{25, "secp521r1", "ecdhe"},
    GroupInfo{29, "x25519", "ecdhe"},
    GroupInfo{30, "x448", "ecdhe"},
    GroupInfo{31, "brainpoolP256r1tls13", "ecdhe"},
    GroupInfo{32, "brainpoolP384r1tls13", "ecdhe"},
    GroupInfo{33, "brainpoolP512r1tls13", "ecdhe"},
    GroupInfo{256, "ffdhe2048", "ffdhe"},
    GroupInfo{257, "ffdhe3072", "ffdhe"},
    GroupInfo{258, "ffdhe4096", "ffdhe"},
    GroupInfo{259, "ffdhe6144", "ffdhe"},
    GroupInfo{260, "ffdhe8192", "ffdhe"},
    GroupInfo{0x0200, "MLKEM512", "mlkem"},
    GroupInfo{0x0201, "MLKEM768", "mlkem"},
    GroupInfo{0x0202, "MLKEM1024", "mlkem"},
    GroupInfo{0x11EB, "SecP256r1MLKEM768", "hybrid"},
    GroupInfo{0x11EC, "X25519MLKEM768", "hybrid"},
    GroupInfo{0x11ED, "SecP384r1MLKEM1024", "hybrid"},
};

// IANA "TLS Cipher Suites": the TLS 1.3 suites of RFC 8446 §B.4 and the TLS 1.2 AEAD suites
// that stacks still enable by default.
constexpr std::array kCipherSuites = {
    CipherSuiteInfo{0x1301, "TLS_AES_128_GCM_SHA256", true},
    CipherSuiteInfo{0x1302, "TLS_AES_256_GCM_SHA384", true},
    CipherSuiteInfo{0x1303, "TLS_CHACHA20_POLY1305_SHA256", true},
    CipherSuiteInfo{0x1304, "TLS_AES_128_CCM_SHA256", true},
    CipherSuiteInfo{0x1305, "TLS_AES_128_CCM_8_SHA256", true},
    CipherSuiteInfo{0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false},
    CipherSuiteInfo{0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", false},
    CipherSuiteInfo{0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
    CipherSuiteInfo{0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false},
    CipherSuiteInfo{0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false},
    CipherSuiteInfo{0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", false},
    CipherSuiteInfo{0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", false},
    CipherSuiteInfo{0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", false},
    CipherSuiteInfo{0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", false},
    CipherSuiteInfo{0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", false},
};

// IANA "TLS Alerts" (RFC 8446 §6 and later additions).
constexpr std::array kAlerts = {
    NamedCode{0, "close_notify"},
    NamedCode{10, "unexpected_message"},
    NamedCode{20, "bad_record_mac"},
    NamedCode{21, "decryption_failed_RESERVED"},
    NamedCode{22, "record_overflow"},
    NamedCode{30, "decompression_failure_RESERVED"},
    NamedCode{40, "handshake_failure"},
    NamedCode{41, "no_certificate_RESERVED"},
    NamedCode{42, "bad_certificate"},
    NamedCode{43, "unsupported_certificate"},
    NamedCode{44, "certificate_revoked"},
    NamedCode{45, "certificate_expired"},
    NamedCode{46, "certificate_unknown"},
    NamedCode{47, "illegal_parameter"},
    NamedCode{48, "unknown_ca"},
    NamedCode{49, "access_denied"},
    NamedCode{50, "decode_error"},
    NamedCode{51, "decrypt_error"},
    NamedCode{60, "export_restriction_RESERVED"},
    NamedCode{70, "protocol_version"},
    NamedCode{71, "insufficient_security"},
    NamedCode{80, "internal_error"},
    NamedCode{86, "inappropriate_fallback"},
    NamedCode{90, "user_canceled"},
    NamedCode{100, "no_renegotiation_RESERVED"},
    NamedCode{109, "missing_extension"},
    NamedCode{110, "unsupported_extension"},
    NamedCode{111, "certificate_unobtainable_RESERVED"},
    NamedCode{112, "unrecognized_name"},
    NamedCode{113, "bad_certificate_status_response"},
    NamedCode{114, "bad_certificate_hash_value_RESERVED"},
    NamedCode{115, "unknown_psk_identity"},
    NamedCode{116, "certificate_required"},
    NamedCode{120, "no_application_protocol"},
};

constexpr std::array kVersions = {
    NamedCode{0x0301, "TLSv1.0"},
    NamedCode{0x0302, "TLSv1.1"},
    NamedCode{0x0303, "TLSv1.2"},
    NamedCode{0x0304, "TLSv1.3"},
};

template <typename Table, typename Pred>
auto find_in(const Table& table, Pred pred) -> std::optional<typename Table::value_type> {
  const auto it = std::find_if(table.begin(), table.end(), pred);
  if (it == table.end()) return std::nullopt;
  return *it;
}

}  // namespace

std::span<const GroupInfo> known_groups() {
  return kGroups;
}
std::span<const CipherSuiteInfo> known_cipher_suites() {
  return kCipherSuites;
}
std::span<const NamedCode> known_alerts() {
  return kAlerts;
}
std::span<const NamedCode> known_versions() {
  return kVersions;
}

std::optional<GroupInfo> group_by_name(std::string_view name) {
  return find_in(kGroups, [&](const auto& g) { return g.name == name; });
}
std::optional<GroupInfo> group_by_code(std::uint16_t code) {
  return find_in(kGroups, [&](const auto& g) { return g.code == code; });
}
std::optional<CipherSuiteInfo> cipher_suite_by_name(std::string_view name) {
  return find_in(kCipherSuites, [&](const auto& c) { return c.name == name; });
}
std::optional<CipherSuiteInfo> cipher_suite_by_code(std::uint16_t code) {
  return find_in(kCipherSuites, [&](const auto& c) { return c.code == code; });
}
std::optional<NamedCode> alert_by_name(std::string_view name) {
  return find_in(kAlerts, [&](const auto& a) { return a.name == name; });
}
std::optional<NamedCode> version_by_name(std::string_view name) {
  return find_in(kVersions, [&](const auto& v) { return v.name == name; });
}
std::optional<NamedCode> version_by_code(std::uint16_t code) {
  return find_in(kVersions, [&](const auto& v) { return v.code == code; });
}

std::string alert_name(std::uint8_t code) {
  const auto a = find_in(kAlerts, [&](const auto& x) { return x.code == code; });
  return a ? std::string(a->name) : fmt::format("unknown({})", code);
}
std::string group_name(std::uint16_t code) {
  const auto g = group_by_code(code);
  return g ? std::string(g->name) : fmt::format("unknown(0x{:04x})", code);
}
std::string cipher_suite_name(std::uint16_t code) {
  const auto c = cipher_suite_by_code(code);
  return c ? std::string(c->name) : fmt::format("unknown(0x{:04x})", code);
}
std::string version_name(std::uint16_t code) {
  const auto v = version_by_code(code);
  return v ? std::string(v->name) : fmt::format("unknown(0x{:04x})", code);
}

}  // namespace tlsmatrix
