#include "nss_settings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <ssl.h>
#include <sslexp.h>
#include <sslproto.h>

#include <algorithm>
#include <span>
#include <vector>

#include "hex_text.hpp"
#include "nss_library.hpp"
#include "nss_names.hpp"

namespace tlsmatrix::nss_adapter {
namespace {

void set_option(PRFileDesc* fd, PRInt32 option, PRIntn value, std::string_view setting,
                std::string_view doing) {
  require_ok(SSL_OptionSet(fd, option, value) == SECSuccess, setting, doing);
}

void apply_versions(PRFileDesc* fd, const EndpointConfig& config) {
  SSLVersionRange supported{};
  require_library(SSL_VersionRangeGetSupported(ssl_variant_stream, &supported) == SECSuccess,
                  "asking for the supported versions");
  const auto min = library_version_code(config.min_version);
  const auto max = library_version_code(config.max_version);
  for (const auto& [setting, name, code] : {std::tuple{"min_version", config.min_version, min},
                                            std::tuple{"max_version", config.max_version, max}})
    if (!code || *code < supported.min || *code > supported.max)
      reject(setting, fmt::format("NSS {} supports TLS versions 0x{:04x} to 0x{:04x}, not {}",
                                  library_version(), supported.min, supported.max, name));
  const SSLVersionRange range{*min, *max};
  require_ok(SSL_VersionRangeSet(fd, &range) == SECSuccess, "min_version", "setting the versions");
}

std::vector<SSLNamedGroup> library_groups(const EndpointConfig& config) {
  std::vector<SSLNamedGroup> out;
  for (const auto& name : config.groups) {
    const auto group = library_group(name);
    if (!group) reject("groups", fmt::format("NSS {} has no group {}", library_version(), name));
    out.push_back(*group);
  }
  return out;
}

// NSS sends a share for its first group and, with SSL_SendAdditionalKeyShares(n), for the next n
// groups in preference order: the shares it can send are exactly the prefixes of `groups`.
void apply_key_shares(PRFileDesc* fd, const EndpointConfig& config) {
  const auto& shares = *config.key_shares;
  if (config.groups.empty())
    reject("key_shares", "NSS places key shares only in the order of a configured `groups` list");
  if (shares.empty()) reject("key_shares", "NSS always sends at least one key share");
  if (shares.size() > config.groups.size() ||
      !std::equal(shares.begin(), shares.end(), config.groups.begin()))
    reject("key_shares",
           fmt::format("NSS {} shares the first groups of `groups` in order ({}), so it can send "
                       "only a prefix of that list, not [{}]",
                       library_version(), fmt::join(config.groups, ", "), fmt::join(shares, ", ")));
  require_ok(
      SSL_SendAdditionalKeyShares(fd, static_cast<unsigned>(shares.size() - 1)) == SECSuccess,
      "key_shares", "asking for additional key shares");
}

// Only the listed suites are enabled, in the listed order (the order a client sends and a server
// prefers).
void apply_cipher_suites(PRFileDesc* fd, const EndpointConfig& config) {
  std::vector<PRUint16> wanted;
  for (const auto& name : config.cipher_suites) {
    const auto code = library_suite(name);
    if (!code)
      reject("cipher_suites", fmt::format("NSS {} does not implement {}", library_version(), name));
    wanted.push_back(*code);
  }
  const std::span<const PRUint16> implemented(SSL_GetImplementedCiphers(),
                                              SSL_GetNumImplementedCiphers());
  for (const PRUint16 suite : implemented)
    require_ok(SSL_CipherPrefSet(fd, suite, PR_FALSE) == SECSuccess, "cipher_suites",
               "disabling a suite");
  for (const PRUint16 suite : wanted)
    require_ok(SSL_CipherPrefSet(fd, suite, PR_TRUE) == SECSuccess, "cipher_suites",
               fmt::format("enabling 0x{:04x}", suite));
  require_ok(SSL_CipherSuiteOrderSet(fd, wanted.data(), static_cast<PRUint16>(wanted.size())) ==
                 SECSuccess,
             "cipher_suites", "ordering the suites");
}

void apply_psk_settings(PRFileDesc* fd, const EndpointConfig& config, PK11SymKey* psk) {
  // tls13_ClientSendPskModesXtn sends psk_dhe_ke alone and the server accepts no other mode.
  if (config.psk_modes && *config.psk_modes != std::vector<std::string>{"psk_dhe_ke"})
    reject("psk_modes", fmt::format("NSS {} implements only psk_dhe_ke, not [{}]",
                                    library_version(), fmt::join(*config.psk_modes, ", ")));
  if (config.cert_with_extern_psk)
    reject("cert_with_extern_psk",
           fmt::format("NSS {} does not implement tls_cert_with_extern_psk", library_version()));
  if (psk == nullptr) return;
  const ExternalPsk& entry = config.psks.front();
  const auto hash = library_psk_hash(entry.hash);
  require_ok(SSL_AddExternalPsk(fd, psk, reinterpret_cast<const PRUint8*>(entry.identity.data()),
                                static_cast<unsigned>(entry.identity.size()), *hash) == SECSuccess,
             "psks", "adding the external PSK");
}

void apply_certificates(PRFileDesc* fd, const EndpointConfig& config,
                        const Credentials& credentials) {
  if (config.role == Role::client) {
    const std::string url = config.server_name.empty() ? config.connect_host : config.server_name;
    // SNI (NSS omits it for an IP literal), and the name the client session cache is keyed on.
    require_ok(SSL_SetURL(fd, url.c_str()) == SECSuccess, "server_name", "setting the URL");
    return;
  }
  if (config.certificate)
    require_ok(SSL_ConfigServerCert(fd, credentials.chain.front().get(), credentials.key.get(),
                                    nullptr, 0) == SECSuccess,
               "certificate", "configuring the server certificate");
  set_option(fd, SSL_REQUEST_CERTIFICATE, config.require_client_certificate,
             "require_client_certificate", "requesting a certificate");
  set_option(fd, SSL_REQUIRE_CERTIFICATE,
             config.require_client_certificate ? SSL_REQUIRE_ALWAYS : SSL_REQUIRE_NEVER,
             "require_client_certificate", "requiring a certificate");
}

}  // namespace

SymKeyPtr import_external_psk(const EndpointConfig& config) {
  if (config.psks.empty()) return nullptr;
  if (config.psks.size() > 1)
    reject("psks", fmt::format("NSS {} holds one external PSK per socket (SSL_AddExternalPsk), "
                               "not {}",
                               library_version(), config.psks.size()));
  // ssl_CheckSignatureSchemes: a TLS 1.3 NSS server needs a certificate for some signature
  // scheme before it negotiates anything, a PSK handshake included.
  if (config.role == Role::server && !config.certificate)
    reject("psks", fmt::format("NSS {} servers need a certificate for TLS 1.3 even to accept an "
                               "external PSK (SSL_ERROR_NO_SUPPORTED_SIGNATURE_ALGORITHM)",
                               library_version()));
  if (config.max_version != "TLSv1.3")
    reject("psks", fmt::format("NSS {} has external PSKs only in TLS 1.3", library_version()));
  const ExternalPsk& entry = config.psks.front();
  if (!library_psk_hash(entry.hash))
    reject("psks", fmt::format("NSS binds a PSK to SHA256 or SHA384, not {}", entry.hash));
  if (!is_hex(entry.secret_hex)) reject("psks", "secret_hex is not hex");
  std::string key = bytes_from_hex(entry.secret_hex);
  SECItem item{siBuffer, reinterpret_cast<unsigned char*>(key.data()),
               static_cast<unsigned>(key.size())};
  PK11SlotInfo* slot = PK11_GetInternalSlot();
  PK11SymKey* sym =
      PK11_ImportSymKey(slot, CKM_HKDF_KEY_GEN, PK11_OriginUnwrap, CKA_DERIVE, &item, nullptr);
  PK11_FreeSlot(slot);
  require_ok(sym != nullptr, "psks", "importing the PSK");
  return SymKeyPtr(sym);
}

void apply_settings(PRFileDesc* fd, const EndpointConfig& config, const Credentials& credentials,
                    PK11SymKey* psk) {
  const bool server = config.role == Role::server;
  require_library(SSL_ResetHandshake(fd, server ? PR_TRUE : PR_FALSE) == SECSuccess,
                  "setting the role");
  apply_versions(fd, config);
  if (!config.groups.empty()) {
    const auto groups = library_groups(config);
    require_ok(
        SSL_NamedGroupConfig(fd, groups.data(), static_cast<unsigned>(groups.size())) == SECSuccess,
        "groups", "configuring the groups");
  }
  if (!server && config.key_shares) apply_key_shares(fd, config);
  if (!config.cipher_suites.empty()) apply_cipher_suites(fd, config);
  // An NSS server picks the first of its own enabled suites the client offered; there is no
  // setting for the client's order.
  if (server && config.server_preference == false)
    reject("server_preference",
           fmt::format("NSS {} servers always choose by their own cipher suite order",
                       library_version()));
  if (config.fallback_scsv) {
    if (server)
      reject("fallback_scsv", "client-only setting: an NSS server checks TLS_FALLBACK_SCSV always");
    set_option(fd, SSL_ENABLE_FALLBACK_SCSV, PR_TRUE, "fallback_scsv", "enabling the SCSV");
  }
  apply_certificates(fd, config, credentials);
  apply_psk_settings(fd, config, psk);
  set_option(fd, SSL_ENABLE_SESSION_TICKETS, config.session_tickets, "session_tickets",
             "setting session tickets");
  // A server without tickets caches nothing, so it issues no TLS 1.3 ticket and resumes no
  // session. A client keeps its cache on: with SSL_NO_CACHE NSS sends no psk_key_exchange_modes
  // (so no external PSK either) and drops NewSessionTickets unread; what it would cache goes to
  // the connection's resumption token callback instead, which keeps it only with tickets on.
  if (server)
    set_option(fd, SSL_NO_CACHE, !config.session_tickets, "session_tickets",
               "setting the session cache");
}

}  // namespace tlsmatrix::nss_adapter
