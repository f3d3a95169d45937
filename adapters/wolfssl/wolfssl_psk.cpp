#include "wolfssl_psk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "hex_text.hpp"
#include "stack_adapter.hpp"
#include "tls_registry.hpp"
#include "wolfssl_names.hpp"

namespace tlsmatrix::wolfssl {
namespace {

#ifndef NO_PSK

// wolfSSL's MAX_PSK_KEY_LEN and the smallest MAX_PSK_ID_LEN of its builds (128 without TLS 1.3);
// the constants themselves are internal.
constexpr std::size_t kMaxKeyBytes = 64;
constexpr std::size_t kMaxIdentityBytes = 128;

// TLS extension and handshake code points the message callback looks for.
constexpr std::uint16_t kExtPreSharedKey = 41;
constexpr std::uint16_t kExtKeyShare = 51;
constexpr std::uint16_t kExtCertWithExternPsk = 33;
constexpr std::uint16_t kExtPskModes = 45;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint8_t kContentHandshake = 22;

// RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest.
constexpr unsigned char kHelloRetryRandom[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// The TLS 1.3 suite a PSK is bound to: the first configured one with the PSK's hash, else the
// RFC 8446 mandatory suite for that hash. Both wolfSSL peers pick the same way, and a wolfSSL
// server accepts the PSK only with exactly this suite.
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
    throw ConfigRejected("psks", fmt::format("this wolfSSL has no TLS 1.3 suite for {}", hash));
  return *fallback;
}

PskState& state_of(WOLFSSL* ssl) {
  return *static_cast<PskState*>(wolfSSL_get_psk_callback_ctx(ssl));
}

const PskEntry* find_identity(const PskState& s, const char* identity) {
  if (identity == nullptr) return nullptr;
  const auto it = std::find_if(s.psks.begin(), s.psks.end(),
                               [&](const PskEntry& e) { return e.identity == identity; });
  return it == s.psks.end() ? nullptr : &*it;
}

// The client offers exactly one PSK (install_psk refuses more).
unsigned int copy_client_side(const PskEntry& e, char* identity, unsigned int id_max,
                              unsigned char* key, unsigned int key_max) {
  if (e.identity.size() + 1 > id_max || e.key.size() > key_max) return 0;
  std::memcpy(identity, e.identity.c_str(), e.identity.size() + 1);
  std::memcpy(key, e.key.data(), e.key.size());
  return static_cast<unsigned int>(e.key.size());
}

unsigned int copy_server_side(const PskEntry* e, unsigned char* key, unsigned int key_max) {
  if (e == nullptr || e->key.size() > key_max) return 0;
  std::memcpy(key, e->key.data(), e->key.size());
  return static_cast<unsigned int>(e->key.size());
}

unsigned int client_tls13(WOLFSSL* ssl, const char* /*hint*/, char* identity, unsigned int id_max,
                          unsigned char* key, unsigned int key_max, const char** suite) {
  auto& s = state_of(ssl);
  // wolfSSL calls this while it builds a ClientHello and once more after a ServerHello that
  // selects the PSK (tls13.c SetupPskKey), with the chosen identity already in `identity` in
  // 5.9 (older releases leave the buffer as this callback filled it: with the one identity a
  // wolfSSL client offers, the same bytes).
  if (s.client_hello_sent) {
    ++s.calls_after_client_hello;
    s.chosen_identity.assign(identity, ::strnlen(identity, id_max));
  }
  const auto& e = s.psks.front();
  *suite = e.suite_name.c_str();
  return copy_client_side(e, identity, id_max, key, key_max);
}

unsigned int server_tls13(WOLFSSL* ssl, const char* identity, unsigned char* key,
                          unsigned int key_max, const char** suite) {
  auto& s = state_of(ssl);
  const PskEntry* e = find_identity(s, identity);
  if (e == nullptr) return 0;
  *suite = e->suite_name.c_str();
  return copy_server_side(e, key, key_max);
}

unsigned int client_tls12(WOLFSSL* ssl, const char* /*hint*/, char* identity, unsigned int id_max,
                          unsigned char* key, unsigned int key_max) {
  return copy_client_side(state_of(ssl).psks.front(), identity, id_max, key, key_max);
}

unsigned int server_tls12(WOLFSSL* ssl, const char* identity, unsigned char* key,
                          unsigned int key_max) {
  return copy_server_side(find_identity(state_of(ssl), identity), key, key_max);
}

// A byte reader over one handshake message; every read fails (returns nullopt) past the end.
struct Reader {
  std::string_view bytes;
  std::optional<std::uint32_t> number(std::size_t width) {
    if (bytes.size() < width) return std::nullopt;
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = v << 8 | static_cast<unsigned char>(bytes[i]);
    bytes.remove_prefix(width);
    return v;
  }
  std::optional<std::string_view> take(std::size_t n) {
    if (bytes.size() < n) return std::nullopt;
    auto out = bytes.substr(0, n);
    bytes.remove_prefix(n);
    return out;
  }
  std::optional<std::string_view> vector(std::size_t length_width) {
    const auto n = number(length_width);
    if (!n) return std::nullopt;
    return take(*n);
  }
};

// The extensions block of a ServerHello body, or nullopt for a HelloRetryRequest or garbage.
std::optional<std::string_view> server_hello_extensions(std::string_view body) {
  Reader r{body};
  const auto version = r.take(2);
  const auto random = r.take(32);
  if (!version || !random || r.vector(1) == std::nullopt || !r.take(3)) return std::nullopt;
  if (std::memcmp(random->data(), kHelloRetryRandom, sizeof kHelloRetryRandom) == 0)
    return std::nullopt;
  return r.vector(2);
}

void note_server_hello(ServerHelloExtensions& seen, std::string_view body) {
  const auto extensions = server_hello_extensions(body);
  if (!extensions) return;
  seen = ServerHelloExtensions{};
  seen.seen = true;
  Reader r{*extensions};
  while (!r.bytes.empty()) {
    const auto type = r.number(2);
    if (!type || !r.vector(2)) break;
    seen.pre_shared_key = seen.pre_shared_key || *type == kExtPreSharedKey;
    seen.key_share = seen.key_share || *type == kExtKeyShare;
    seen.cert_with_extern_psk = seen.cert_with_extern_psk || *type == kExtCertWithExternPsk;
  }
}

// The psk_key_exchange_modes of a ClientHello body, in its order.
std::vector<std::string> client_hello_modes(std::string_view body) {
  Reader r{body};
  if (!r.take(2 + 32) || !r.vector(1) || !r.vector(2) || !r.vector(1)) return {};
  const auto extensions = r.vector(2);
  if (!extensions) return {};
  Reader e{*extensions};
  while (!e.bytes.empty()) {
    const auto type = e.number(2);
    const auto data = e.vector(2);
    if (!type || !data) break;
    if (*type != kExtPskModes) continue;
    Reader m{*data};
    const auto list = m.vector(1);
    if (!list) break;
    std::vector<std::string> modes;
    for (const char c : *list)
      modes.emplace_back(c == 0 ? "psk_ke" : c == 1 ? "psk_dhe_ke" : "unknown");
    return modes;
  }
  return {};
}

}  // namespace

void note_psk_message(PskState& state, int write_p, int /*version*/, int content_type,
                      const void* buf, size_t len, WOLFSSL* /*ssl*/) {
  // Only the messages this side sends: a sent buffer starts with the record header.
  if (write_p == 0 || content_type != kContentHandshake || buf == nullptr) return;
  std::string_view bytes(static_cast<const char*>(buf), len);
  if (bytes.size() >= 5 && static_cast<unsigned char>(bytes[0]) == kContentHandshake &&
      bytes[1] == 0x03)
    bytes.remove_prefix(5);
  if (bytes.size() < 4) return;
  Reader r{bytes};
  const auto type = r.number(1);
  const auto body = r.vector(3);
  if (!type || !body) return;
  if (*type == kClientHello) {
    state.client_hello_sent = true;
    state.calls_after_client_hello = 0;
    state.offered_modes = client_hello_modes(*body);
  } else if (*type == kServerHello) {
    note_server_hello(state.server_hello, *body);
  }
}

namespace {

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

void set_psk_modes(WOLFSSL* ssl, const EndpointConfig& config, bool tls13) {
  // Unset: no mode call at all, so the library's default is what the suite measures.
  if (!config.psk_modes) return;
  const auto& modes = *config.psk_modes;
  if (modes.empty())
    throw ConfigRejected("psk_modes", "wolfSSL always offers and accepts at least one mode");
  bool ke = false, dhe_ke = false;
  for (const auto& mode : modes) {
    if (mode == "psk_ke")
      ke = true;
    else if (mode == "psk_dhe_ke")
      dhe_ke = true;
    else
      throw ConfigRejected("psk_modes", fmt::format("unknown mode '{}'", mode));
  }
  // The modes are a set here: a wolfSSL client always writes psk_ke before psk_dhe_ke
  // (TLSX_PskKeModes_Write), and the order carries no meaning (RFC 8446 §4.2.9).
  // psk_key_exchange_modes exist only in TLS 1.3.
  if (!tls13) return;
  if (ke && !dhe_ke && !restrict_to_psk_ke(ssl))
    throw ConfigRejected("psk_modes", "wolfSSL refused to drop psk_dhe_ke");
  if (dhe_ke && !ke && !restrict_to_psk_dhe_ke(ssl))
    throw ConfigRejected("psk_modes",
                         "this wolfSSL has no wolfSSL_only_dhe_psk, so it would still offer and "
                         "accept psk_ke");
  if (config.cert_with_extern_psk && !dhe_ke)
    throw ConfigRejected("psk_modes",
                         "with cert_with_extern_psk wolfSSL always offers psk_dhe_ke as well");
}

PskEntry entry_of(const EndpointConfig& config, const ExternalPsk& psk) {
  if (psk.hash != "SHA256" && psk.hash != "SHA384")
    throw ConfigRejected("psks", fmt::format("wolfSSL cannot bind a PSK to hash '{}'", psk.hash));
  if (psk.identity.empty()) throw ConfigRejected("psks", "an empty identity");
  if (psk.identity.find('\0') != std::string::npos)
    throw ConfigRejected("psks",
                         "wolfSSL's PSK callbacks pass identities as NUL-terminated C strings, "
                         "so an identity with a NUL byte cannot be carried");
  if (psk.identity.size() > kMaxIdentityBytes)
    throw ConfigRejected("psks", fmt::format("an identity of {} bytes: wolfSSL takes at most {}",
                                             psk.identity.size(), kMaxIdentityBytes));
  if (!is_hex(psk.secret_hex))
    throw ConfigRejected("psks", "secret_hex is not a non-empty hex string");
  auto key = bytes_from_hex(psk.secret_hex);
  if (key.size() > kMaxKeyBytes)
    throw ConfigRejected("psks",
                         fmt::format("secret_hex: wolfSSL takes at most {} bytes", kMaxKeyBytes));
  return {psk.identity, std::vector<unsigned char>(key.begin(), key.end()),
          psk_suite(config, psk.hash)};
}

#endif  // NO_PSK

void set_cert_with_extern_psk([[maybe_unused]] WOLFSSL* ssl, const EndpointConfig& config,
                              [[maybe_unused]] bool tls13) {
  if (!config.cert_with_extern_psk) return;
#if defined(WOLFSSL_CERT_WITH_EXTERN_PSK) && !defined(NO_PSK)
  if (config.psks.empty())
    throw ConfigRejected("cert_with_extern_psk", "it goes with an external PSK, and psks is empty");
  if (!tls13)
    throw ConfigRejected("cert_with_extern_psk", "it exists only in TLS 1.3 (max_version)");
  if (wolfSSL_set_cert_with_extern_psk(ssl, 1) != WOLFSSL_SUCCESS)
    throw ConfigRejected("cert_with_extern_psk", "wolfSSL_set_cert_with_extern_psk failed");
#else
  throw ConfigRejected("cert_with_extern_psk",
                       "this wolfSSL build lacks RFC 8773 (WOLFSSL_CERT_WITH_EXTERN_PSK, "
                       "--enable-cert-with-extern-psk)");
#endif
}

}  // namespace

void install_psk(WOLFSSL* ssl, const EndpointConfig& config, [[maybe_unused]] bool tls13,
                 PskState& state) {
#ifdef NO_PSK
  (void)state;
  if (!config.psks.empty())
    throw ConfigRejected("psks", "this wolfSSL build has no PSK support (NO_PSK)");
  if (config.psk_modes)
    throw ConfigRejected("psk_modes", "this wolfSSL build has no PSK support (NO_PSK)");
  set_cert_with_extern_psk(ssl, config, tls13);
#else
  if (config.role == Role::client && config.psks.size() > 1)
    throw ConfigRejected("psks",
                         "wolfSSL's client PSK callbacks give one identity per TLS 1.3 cipher "
                         "suite; several for one suite need WOLFSSL_PSK_MULTI_ID_PER_CS, which "
                         "this build lacks, so it cannot offer them all in one ClientHello");
  for (const auto& psk : config.psks) {
    if (std::any_of(state.psks.begin(), state.psks.end(),
                    [&](const PskEntry& e) { return e.identity == psk.identity; }))
      throw ConfigRejected("psks", "two PSKs with the same identity");
    state.psks.push_back(entry_of(config, psk));
  }
  state.role = config.role;
  set_psk_modes(ssl, config, tls13);
  set_cert_with_extern_psk(ssl, config, tls13);
  if (state.psks.empty()) return;

  wolfSSL_set_psk_callback_ctx(ssl, &state);
  if (config.role == Role::client) {
    wolfSSL_set_psk_client_tls13_callback(ssl, client_tls13);
    wolfSSL_set_psk_client_callback(ssl, client_tls12);
  } else {
    wolfSSL_set_psk_server_tls13_callback(ssl, server_tls13);
    wolfSSL_set_psk_server_callback(ssl, server_tls12);
  }
  // wolfSSL_get_psk_identity() reads the connection's handshake arrays, which wolfSSL otherwise
  // frees at the end of the handshake.
  wolfSSL_KeepArrays(ssl);
#endif
}

#ifdef NO_PSK
void note_psk_message(PskState&, int, int, int, const void*, size_t, WOLFSSL*) {}
#endif

void describe_psk([[maybe_unused]] WOLFSSL* ssl, [[maybe_unused]] const PskState& state,
                  const EndpointConfig& config, HandshakeOutcome& out) {
  // A resumed TLS 1.3 session is a PSK (RFC 8446 §2.2). wolfSSL has no getter for its mode. It
  // is known when this side let wolfSSL use one mode alone (psk_modes: no_dhe_psk /
  // only_dhe_psk). Otherwise a server knows from its key exchange state: wolfSSL_get_curve_name
  // names a group only when the server did (EC)DHE in this handshake (measured with 5.5.4: null
  // after psk_ke). A client's wolfSSL_get_curve_name names its own key share even after psk_ke,
  // so there the mode stays null.
  if (out.version == "TLSv1.3" && wolfSSL_session_reused(ssl) != 0) {
    out.psk_used = true;
    if (config.psk_modes && config.psk_modes->size() == 1)
      out.psk_mode = config.psk_modes->front();
    else if (config.role == Role::server)
      out.psk_mode = wolfSSL_get_curve_name(ssl) != nullptr ? "psk_dhe_ke" : "psk_ke";
    return;
  }
#ifndef NO_PSK
  if (state.psks.empty() || !out.cipher_suite) return;
  const auto identity_from_library = [&]() -> std::optional<std::string> {
    const char* id = wolfSSL_get_psk_identity(ssl);
    if (id == nullptr || *id == '\0') return std::nullopt;
    return std::string(id);
  };
  if (out.version != "TLSv1.3") {
    // TLS 1.2: the negotiated suite says whether the key exchange was PSK.
    out.psk_used = cipher_suite_name(*out.cipher_suite).find("PSK") != std::string::npos;
    if (out.psk_used) out.psk_identity = identity_from_library();
    return;
  }
  // Not resumed (above), so any PSK is external.
  if (state.role == Role::server) {
    // The ServerHello this server sent, as its message callback reported it.
    const auto& sh = state.server_hello;
    out.psk_used = sh.seen && sh.pre_shared_key;
    if (!out.psk_used) return;
    out.psk_mode = sh.key_share ? "psk_dhe_ke" : "psk_ke";
    // The identity wolfSSL matched: it copies each offered identity into its arrays and stops
    // at the one the callback accepted.
    out.psk_identity = identity_from_library();
    return;
  }
  // Client: wolfSSL asks the PSK callback for the key again, with the identity the server
  // chose, only after a ServerHello that selected it (tls13.c SetupPskKey), and the handshake
  // completed with that key.
  out.psk_used = state.calls_after_client_hello > 0;
  if (!out.psk_used) return;
  if (!state.chosen_identity.empty()) out.psk_identity = state.chosen_identity;
  // wolfSSL has no getter for the mode the server chose; it is known when the ClientHello
  // offered one mode only (then the server cannot have chosen another).
  if (state.offered_modes.size() == 1) out.psk_mode = state.offered_modes.front();
#endif
}

}  // namespace tlsmatrix::wolfssl
