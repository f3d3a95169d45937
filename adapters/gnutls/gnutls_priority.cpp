#include "gnutls_priority.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "gnutls_names.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::gnutls_adapter {
namespace {

// Priority tokens of one kind, in first-mention order.
class TokenList {
 public:
  void add(std::string token) {
    if (std::find(tokens_.begin(), tokens_.end(), token) == tokens_.end())
      tokens_.push_back(std::move(token));
  }
  // ":+A:+B"
  std::string enable() const {
    std::string out;
    for (const auto& t : tokens_) out += ":+" + t;
    return out;
  }

 private:
  std::vector<std::string> tokens_;
};

struct VersionRange {
  std::uint16_t low = 0;
  std::uint16_t high = 0;
  std::vector<gnutls_protocol_t> protocols;  // highest first
};

VersionRange version_range(const EndpointConfig& config) {
  VersionRange range;
  range.low = version_by_name(config.min_version)->code;
  range.high = version_by_name(config.max_version)->code;
  if (range.low > range.high)
    reject("min_version",
           fmt::format("{} is above max_version {}", config.min_version, config.max_version));
  const auto versions = known_versions();
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->code < range.low || it->code > range.high) continue;
    const auto p = library_protocol(it->name);
    if (!p)
      reject(it->name == config.max_version ? "max_version" : "min_version",
             fmt::format("GnuTLS {} does not know {}", library_version(), it->name));
    range.protocols.push_back(*p);
  }
  return range;
}

// What the client offers, and what a server choosing by its own order prefers, follows the
// compiled order; a server choosing by the client's order never looks at its own.
bool suite_order_matters(const EndpointConfig& config) {
  return config.role == Role::client || config.server_preference.value_or(false);
}

bool negotiable_in(const LibrarySuite& suite, const VersionRange& range) {
  const auto min = protocol_wire_code(suite.min_version).value_or(0x0300);
  return min <= range.high && suite.max_wire_version() >= range.low;
}

std::string names(const std::vector<std::uint16_t>& codes) {
  std::vector<std::string> out;
  for (const auto c : codes) out.push_back(suite_display_name(c));
  return fmt::format("[{}]", fmt::join(out, ", "));
}

std::string group_names(const std::vector<unsigned>& ids) {
  std::vector<std::string> out;
  for (const auto id : ids) {
    const auto code = registry_group_code(static_cast<gnutls_group_t>(id));
    const char* lib = gnutls_group_get_name(static_cast<gnutls_group_t>(id));
    out.push_back(code ? group_name(*code) : (lib != nullptr ? lib : "?"));
  }
  return fmt::format("[{}]", fmt::join(out, ", "));
}

std::vector<unsigned> priority_list(gnutls_priority_t cache,
                                    int (*get)(gnutls_priority_t, const unsigned int**)) {
  const unsigned int* list = nullptr;
  const int n = get(cache, &list);
  if (n <= 0 || list == nullptr) return {};
  return {list, list + n};
}

void check_versions(gnutls_priority_t cache, const VersionRange& range,
                    const EndpointConfig& config) {
  const auto enabled = priority_list(cache, gnutls_priority_protocol_list);
  for (const auto p : range.protocols)
    if (std::find(enabled.begin(), enabled.end(), static_cast<unsigned>(p)) == enabled.end())
      reject(p == library_protocol(config.min_version) ? "min_version" : "max_version",
             fmt::format("GnuTLS {} refuses to enable {} (system priority configuration?)",
                         library_version(), registry_protocol_name(p).value_or("?")));
}

void check_groups(gnutls_priority_t cache, const std::vector<unsigned>& wanted) {
  const auto enabled = priority_list(cache, gnutls_priority_group_list);
  if (enabled != wanted)
    reject("groups", fmt::format("asked for {}, GnuTLS {} enables {}", group_names(wanted),
                                 library_version(), group_names(enabled)));
}

// The suites the compiled priority can negotiate within the version range, in its order.
std::vector<LibrarySuite> enabled_suites(gnutls_priority_t cache, const VersionRange& range) {
  std::vector<LibrarySuite> out;
  for (unsigned idx = 0;; ++idx) {
    unsigned int suite_index = 0;
    const int ret = gnutls_priority_get_cipher_suite_index(cache, idx, &suite_index);
    if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) break;
    if (ret < 0) continue;  // a suite the library cannot use right now
    const auto suite = library_suite_at(suite_index);
    if (suite && negotiable_in(*suite, range)) out.push_back(*suite);
  }
  return out;
}

void check_suites(gnutls_priority_t cache, const EndpointConfig& config,
                  const std::vector<LibrarySuite>& wanted, const VersionRange& range) {
  std::vector<std::uint16_t> want13, want12, have13, have12;
  for (const auto& s : wanted)
    if (negotiable_in(s, range)) (s.tls13() ? want13 : want12).push_back(s.code);
  bool psk_extra = false;
  std::vector<std::uint16_t> extra, missing;
  for (const auto& s : enabled_suites(cache, range)) {
    (s.tls13() ? have13 : have12).push_back(s.code);
    const auto& want = s.tls13() ? want13 : want12;
    if (std::find(want.begin(), want.end(), s.code) != want.end()) continue;
    extra.push_back(s.code);
    psk_extra |= s.kx == GNUTLS_KX_PSK || s.kx == GNUTLS_KX_ECDHE_PSK || s.kx == GNUTLS_KX_DHE_PSK;
  }
  for (const auto* want : {&want13, &want12})
    for (const auto c : *want) {
      const auto& have = want == &want13 ? have13 : have12;
      if (std::find(have.begin(), have.end(), c) == have.end()) missing.push_back(c);
    }

  const std::string asked = fmt::format("[{}]", fmt::join(config.cipher_suites, ", "));
  if (!missing.empty())
    reject("cipher_suites",
           fmt::format("GnuTLS {} will not enable {}", library_version(), names(missing)));
  if (!extra.empty())
    reject("cipher_suites",
           fmt::format("GnuTLS enables suites only as products of cipher, MAC and key exchange; "
                       "{} also brings in {}{}",
                       asked, names(extra),
                       psk_extra && !config.psks.empty()
                           ? " (the PSK key exchanges that give TLS 1.3 its psk_modes, or their "
                             "GnuTLS default, enable TLS 1.2 PSK suites; min_version TLSv1.3 "
                             "avoids them)"
                           : ""));
  if (!suite_order_matters(config)) return;
  for (const auto& [want, have, which] :
       {std::tuple{&want13, &have13, "TLS 1.3"}, std::tuple{&want12, &have12, "TLS 1.2"}})
    if (*want != *have)
      reject("cipher_suites",
             fmt::format("GnuTLS would order the {} suites as {} (ciphers in first-mention order, "
                         "and key exchange before cipher for TLS 1.2), not {}",
                         which, names(*have), names(*want)));
}

// The psk_key_exchange_modes a client offers, and those a server accepts, follow the first PSK
// key exchange of each kind in the compiled key exchange list (lib/ext/psk_ke_modes.c); a TLS
// 1.2 PSK suite in cipher_suites can add one unasked.
void check_psk_modes(gnutls_priority_t cache, const EndpointConfig& config,
                     const VersionRange& range) {
  if (!config.psk_modes || range.high < 0x0304) return;
  std::vector<std::string> modes;
  const auto add = [&](const char* m) {
    if (std::find(modes.begin(), modes.end(), m) == modes.end()) modes.emplace_back(m);
  };
  for (const auto kx : priority_list(cache, gnutls_priority_kx_list)) {
    if (kx == GNUTLS_KX_PSK) add("psk_ke");
    if (kx == GNUTLS_KX_DHE_PSK || kx == GNUTLS_KX_ECDHE_PSK) add("psk_dhe_ke");
  }
  if (modes != *config.psk_modes)
    reject("psk_modes", fmt::format("asked for [{}], GnuTLS would use [{}] (cipher_suites with a "
                                    "PSK key exchange enable its TLS 1.3 mode too)",
                                    fmt::join(*config.psk_modes, ", "), fmt::join(modes, ", ")));
}

// The PSK key exchanges of the priority string. NORMAL enables none, so a GnuTLS user who wants
// external PSKs adds them; the GnuTLS 3.7 manual's PSK examples (doc/examples/ex-serv-psk.c and
// ex-client-psk.c, for 3.6.3 and later) add "+ECDHE-PSK:+DHE-PSK:+PSK" to the default
// priorities ("NORMAL:+ECDHE-PSK:+DHE-PSK:+PSK" before 3.6.3). With external PSKs and psk_modes
// unset, that is what this adapter adds: the library's default. GnuTLS derives the TLS 1.3
// psk_key_exchange_modes from the key exchange list (lib/ext/psk_ke_modes.c), so by default a
// client offers psk_dhe_ke then psk_ke and a server accepts both. Without external PSKs nothing
// is added, and GnuTLS's own choice for resumption stays (both modes offered, psk_dhe_ke
// accepted).
// psk_modes, when set, replace that for TLS 1.3, PSKs or not (resumption uses them too):
// psk_ke is PSK, psk_dhe_ke is ECDHE-PSK (which brings in fewer TLS 1.2 suites than DHE-PSK), in
// the order asked. psk_modes do not apply to TLS 1.2, where cipher_suites, when set, name the
// PSK key exchanges themselves.
void add_psk_key_exchanges(const EndpointConfig& config, const VersionRange& range, TokenList& kx) {
  const bool tls13 = range.high >= 0x0304;
  if (tls13 && config.psk_modes) {
    for (const auto& mode : *config.psk_modes) kx.add(mode == "psk_ke" ? "PSK" : "ECDHE-PSK");
    return;
  }
  if (config.psks.empty() || (!tls13 && !config.cipher_suites.empty())) return;
  for (const char* token : {"ECDHE-PSK", "DHE-PSK", "PSK"}) kx.add(token);
}

}  // namespace

CompiledPriority compile_priority(const EndpointConfig& config) {
  const VersionRange range = version_range(config);
  // NORMAL keeps the library's defaults for everything the configuration leaves open.
  std::string text = "NORMAL:-VERS-ALL";
  for (const auto p : range.protocols)
    text += fmt::format(":+VERS-{}", gnutls_protocol_get_name(p));

  std::vector<unsigned> wanted_groups;
  if (!config.groups.empty()) {
    TokenList groups;
    for (const auto& name : config.groups) {
      const auto g = library_group(name);
      if (!g) reject("groups", fmt::format("GnuTLS {} has no group {}", library_version(), name));
      groups.add(fmt::format("GROUP-{}", gnutls_group_get_name(*g)));
      if (std::find(wanted_groups.begin(), wanted_groups.end(), *g) == wanted_groups.end())
        wanted_groups.push_back(*g);
    }
    text += ":-GROUP-ALL" + groups.enable();
  }

  // PSK key exchanges go first so that their order is the order of psk_modes.
  TokenList kx;
  add_psk_key_exchanges(config, range, kx);

  std::vector<LibrarySuite> wanted_suites;
  if (!config.cipher_suites.empty()) {
    TokenList ciphers, macs;
    for (const auto& name : config.cipher_suites) {
      const auto known = cipher_suite_by_name(name);
      const auto suite = known ? library_suite(known->code) : std::nullopt;
      if (!suite)
        reject("cipher_suites", fmt::format("GnuTLS {} has no {}", library_version(), name));
      ciphers.add(gnutls_cipher_get_name(suite->cipher));
      macs.add(gnutls_mac_get_name(suite->mac));
      if (suite->kx != GNUTLS_KX_UNKNOWN) kx.add(gnutls_kx_get_name(suite->kx));
      wanted_suites.push_back(*suite);
    }
    text +=
        ":-CIPHER-ALL" + ciphers.enable() + ":-MAC-ALL" + macs.enable() + ":-KX-ALL" + kx.enable();
  } else {
    text += kx.enable();
  }

  if (config.role == Role::server && config.server_preference.value_or(false))
    text += ":%SERVER_PRECEDENCE";
  // RFC 7507 §4: the SCSV is a client's signal; a GnuTLS server checks for it by itself.
  if (config.fallback_scsv) {
    if (config.role == Role::server)
      reject("fallback_scsv", fmt::format("client-only setting: GnuTLS {} adds TLS_FALLBACK_SCSV "
                                          "(%FALLBACK_SCSV) only to a ClientHello",
                                          library_version()));
    text += ":%FALLBACK_SCSV";
  }

  gnutls_priority_t raw = nullptr;
  const char* err_pos = nullptr;
  const int ret = gnutls_priority_init(&raw, text.c_str(), &err_pos);
  if (ret < 0)
    // Each setting was checked on its own before; a refusal of the whole string is a failure.
    throw std::runtime_error(fmt::format("GnuTLS refused priority \"{}\" at \"{}\": {}", text,
                                         err_pos != nullptr ? err_pos : "", gnutls_strerror(ret)));
  CompiledPriority out{PriorityPtr(raw), text};

  check_versions(out.cache.get(), range, config);
  if (!wanted_groups.empty()) check_groups(out.cache.get(), wanted_groups);
  if (!wanted_suites.empty()) check_suites(out.cache.get(), config, wanted_suites, range);
  check_psk_modes(out.cache.get(), config, range);
  return out;
}

}  // namespace tlsmatrix::gnutls_adapter
