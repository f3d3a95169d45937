#include "gnutls_names.hpp"

#include <algorithm>
#include <cctype>

#include "tls_registry.hpp"

namespace tlsmatrix::gnutls_adapter {
namespace {

// GnuTLS spells groups "X25519-MLKEM768" and "SECP256R1" where IANA writes "X25519MLKEM768" and
// "secp256r1"; comparing without case and separators matches the two without a table.
std::string fold_name(std::string_view name) {
  std::string out;
  for (const char c : name)
    if (c != '-' && c != '_')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

std::optional<gnutls_protocol_t> library_protocol(std::string_view registry_name) {
  // The registry writes "TLSv1.2" where GnuTLS writes "TLS1.2".
  if (!registry_name.starts_with("TLSv")) return std::nullopt;
  const std::string name = "TLS" + std::string(registry_name.substr(4));
  const gnutls_protocol_t p = gnutls_protocol_get_id(name.c_str());
  if (p == GNUTLS_VERSION_UNKNOWN) return std::nullopt;
  return p;
}

std::optional<std::string> registry_protocol_name(gnutls_protocol_t protocol) {
  const char* name = gnutls_protocol_get_name(protocol);
  if (name == nullptr) return std::nullopt;
  const std::string_view n(name);
  if (!n.starts_with("TLS")) return std::nullopt;
  std::string candidate = "TLSv" + std::string(n.substr(3));
  if (!version_by_name(candidate)) return std::nullopt;
  return candidate;
}

std::optional<std::uint16_t> protocol_wire_code(gnutls_protocol_t protocol) {
  if (protocol == GNUTLS_SSL3) return 0x0300;
  const auto name = registry_protocol_name(protocol);
  if (!name) return std::nullopt;
  return version_by_name(*name)->code;
}

std::optional<gnutls_group_t> library_group(std::string_view registry_name) {
  const std::string wanted = fold_name(registry_name);
  for (const gnutls_group_t* g = gnutls_group_list(); g != nullptr && *g != GNUTLS_GROUP_INVALID;
       ++g) {
    const char* name = gnutls_group_get_name(*g);
    if (name != nullptr && fold_name(name) == wanted) return *g;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> registry_group_code(gnutls_group_t group) {
  const char* name = gnutls_group_get_name(group);
  if (name == nullptr) return std::nullopt;
  const std::string folded = fold_name(name);
  for (const auto& g : known_groups())
    if (fold_name(g.name) == folded) return g.code;
  return std::nullopt;
}

std::optional<LibrarySuite> library_suite_at(std::size_t index) {
  unsigned char id[2] = {0, 0};
  LibrarySuite s;
  const char* name = gnutls_cipher_suite_info(index, id, &s.kx, &s.cipher, &s.mac, &s.min_version);
  if (name == nullptr) return std::nullopt;
  s.code = static_cast<std::uint16_t>(id[0] << 8 | id[1]);
  s.library_name = name;
  return s;
}

std::optional<LibrarySuite> library_suite(std::uint16_t code) {
  for (std::size_t i = 0;; ++i) {
    auto s = library_suite_at(i);
    if (!s) return std::nullopt;
    if (s->code == code) return s;
  }
}

std::optional<std::uint16_t> negotiated_suite_code(gnutls_session_t session) {
#if GNUTLS_VERSION_NUMBER >= 0x030703
  // The canonical name comes from the negotiated suite itself, so it is there as soon as the
  // ServerHello is, even when the handshake fails before the record layer switches to it.
  if (const char* canonical = gnutls_ciphersuite_get(session))
    if (const auto known = cipher_suite_by_name(canonical)) return known->code;
#endif
  // Otherwise match the record layer's algorithms, which hold only once the suite is in use.
  const bool tls13 = gnutls_protocol_get_version(session) == GNUTLS_TLS1_3;
  const auto cipher = gnutls_cipher_get(session);
  const auto mac = gnutls_mac_get(session);
  // Under TLS 1.3 gnutls_kx_get() describes the (EC)DHE/PSK mode, not a suite component.
  const auto kx = tls13 ? GNUTLS_KX_UNKNOWN : gnutls_kx_get(session);
  for (std::size_t i = 0;; ++i) {
    const auto s = library_suite_at(i);
    if (!s) return std::nullopt;
    if (s->tls13() == tls13 && s->cipher == cipher && s->mac == mac && s->kx == kx) return s->code;
  }
}

std::string suite_display_name(std::uint16_t code) {
  if (const auto known = cipher_suite_by_code(code)) return std::string(known->name);
  if (const auto lib = library_suite(code)) return lib->library_name;
  return cipher_suite_name(code);
}

Alert make_alert(int description, bool fatal) {
  Alert a;
  a.code = static_cast<std::uint8_t>(description);
  a.name = alert_name(a.code);
  a.fatal = fatal;
  return a;
}

}  // namespace tlsmatrix::gnutls_adapter
