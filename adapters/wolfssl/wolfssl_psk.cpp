#include "wolfssl_psk.hpp"

#include <fmt/format.h>

#include <cstring>
#include <optional>
#include <string_view>

#include "stack_adapter.hpp"
#include "tls_registry.hpp"
#include "wolfssl_names.hpp"

namespace tlsmatrix::wolfssl {
namespace {

#ifndef NO_PSK

// wolfSSL's MAX_PSK_KEY_LEN; the constant itself is internal.
constexpr std::size_t kMaxKeyBytes = 64;

std::optional<std::vector<unsigned char>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<unsigned char> out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<unsigned char>(hi << 4 | lo));
  }
  return out;
}

// The TLS 1.3 suite the PSK is bound to: the first configured one with the PSK's hash, else
// the RFC 8446 mandatory suite for that hash. Both wolfSSL peers pick the same way, and a
// wolfSSL server accepts the PSK only with exactly this suite.
std::string psk_suite(const EndpointConfig& config, const std::string& hash) {
  const std::string suffix = "_" + hash;
  for (const auto& name : config.cipher_suites) {
    const auto info = cipher_suite_by_name(name);
    if (info && info->tls13 && name.ends_with(suffix)) {
      if (auto internal = suite_internal_name(info->code)) return *internal;
    }
  }
  const auto fallback = suite_internal_name(hash == "SHA384" ? 0x1302 : 0x1301);
  if (!fallback)
    throw ConfigRejected("psk", fmt::format("this wolfSSL has no TLS 1.3 suite for {}", hash));
  return *fallback;
}

PskState& state_of(WOLFSSL* ssl) {
  return *static_cast<PskState*>(wolfSSL_get_psk_callback_ctx(ssl));
}

unsigned int copy_client_side(PskState& s, char* identity, unsigned int id_max, unsigned char* key,
                              unsigned int key_max) {
  if (s.identity.size() + 1 > id_max || s.key.size() > key_max) return 0;
  std::memcpy(identity, s.identity.c_str(), s.identity.size() + 1);
  std::memcpy(key, s.key.data(), s.key.size());
  return static_cast<unsigned int>(s.key.size());
}

unsigned int copy_server_side(PskState& s, const char* identity, unsigned char* key,
                              unsigned int key_max) {
  if (identity == nullptr || s.identity != identity || s.key.size() > key_max) return 0;
  std::memcpy(key, s.key.data(), s.key.size());
  return static_cast<unsigned int>(s.key.size());
}

unsigned int client_tls13(WOLFSSL* ssl, const char* /*hint*/, char* identity, unsigned int id_max,
                          unsigned char* key, unsigned int key_max, const char** suite) {
  auto& s = state_of(ssl);
  *suite = s.suite_name.c_str();
  return copy_client_side(s, identity, id_max, key, key_max);
}

unsigned int server_tls13(WOLFSSL* ssl, const char* identity, unsigned char* key,
                          unsigned int key_max, const char** suite) {
  auto& s = state_of(ssl);
  *suite = s.suite_name.c_str();
  const unsigned int length = copy_server_side(s, identity, key, key_max);
  s.identity_matched = s.identity_matched || length > 0;
  return length;
}

unsigned int client_tls12(WOLFSSL* ssl, const char* /*hint*/, char* identity, unsigned int id_max,
                          unsigned char* key, unsigned int key_max) {
  return copy_client_side(state_of(ssl), identity, id_max, key, key_max);
}

unsigned int server_tls12(WOLFSSL* ssl, const char* identity, unsigned char* key,
                          unsigned int key_max) {
  return copy_server_side(state_of(ssl), identity, key, key_max);
}

// wolfSSL can drop psk_dhe_ke (no_dhe_psk) and, in newer releases, psk_ke (only_dhe_psk,
// present in 5.7.2, absent in 5.5.4); without either it offers and accepts both.
bool restrict_to_psk_ke(WOLFSSL* ssl) {
  return wolfSSL_no_dhe_psk(ssl) == 0;
}

bool restrict_to_psk_dhe_ke([[maybe_unused]] WOLFSSL* ssl) {
#if LIBWOLFSSL_VERSION_HEX >= 0x05007002
  return wolfSSL_only_dhe_psk(ssl) == 0;
#else
  return false;
#endif
}

#endif  // NO_PSK

}  // namespace

void install_psk(WOLFSSL* ssl, const EndpointConfig& config, [[maybe_unused]] bool tls13,
                 PskState& state) {
  if (!config.psk) return;
#ifdef NO_PSK
  (void)ssl;
  (void)state;
  throw ConfigRejected("psk", "this wolfSSL build has no PSK support (NO_PSK)");
#else
  const auto& psk = *config.psk;
  if (psk.hash != "SHA256" && psk.hash != "SHA384")
    throw ConfigRejected("psk", fmt::format("wolfSSL cannot bind a PSK to hash '{}'", psk.hash));
  auto key = from_hex(psk.secret_hex);
  if (!key || key->empty()) throw ConfigRejected("psk", "secret_hex is not a non-empty hex string");
  if (key->size() > kMaxKeyBytes)
    throw ConfigRejected("psk",
                         fmt::format("secret_hex: wolfSSL takes at most {} bytes", kMaxKeyBytes));
  state.identity = psk.identity;
  state.key = std::move(*key);
  state.suite_name = psk_suite(config, psk.hash);

  wolfSSL_set_psk_callback_ctx(ssl, &state);
  if (config.role == Role::client) {
    wolfSSL_set_psk_client_tls13_callback(ssl, client_tls13);
    wolfSSL_set_psk_client_callback(ssl, client_tls12);
  } else {
    wolfSSL_set_psk_server_tls13_callback(ssl, server_tls13);
    wolfSSL_set_psk_server_callback(ssl, server_tls12);
  }

  bool ke = psk.modes.empty(), dhe_ke = psk.modes.empty();
  for (const auto& mode : psk.modes) {
    if (mode == "psk_ke")
      ke = true;
    else if (mode == "psk_dhe_ke")
      dhe_ke = true;
    else
      throw ConfigRejected("psk", fmt::format("unknown mode '{}'", mode));
  }
  if (!tls13) return;
  if (ke && !dhe_ke && !restrict_to_psk_ke(ssl))
    throw ConfigRejected("psk", "wolfSSL refused to drop psk_dhe_ke");
  if (dhe_ke && !ke && !restrict_to_psk_dhe_ke(ssl))
    throw ConfigRejected("psk",
                         "this wolfSSL has no wolfSSL_only_dhe_psk, so it would still offer and "
                         "accept psk_ke");
#endif
}

}  // namespace tlsmatrix::wolfssl
