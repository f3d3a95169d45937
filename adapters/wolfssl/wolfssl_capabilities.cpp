#include "wolfssl_capabilities.hpp"

#include <string>

#include "legacy_capabilities.hpp"
#include "tls_registry.hpp"
#include "wolfssl_handles.hpp"
#include "wolfssl_names.hpp"
#include "wolfssl_psk.hpp"
#include "wolfssl_session.hpp"

namespace tlsmatrix::wolfssl {
namespace {

SslPtr scratch(WOLFSSL_CTX* ctx) {
  return SslPtr(ctx ? wolfSSL_new(ctx) : nullptr);
}

// A version counts when both ends of the range can be pinned to it; wolfSSL quietly maps
// versions it lacks (e.g. TLS 1.0 without WOLFSSL_ALLOW_TLSV10) onto the next one up.
bool has_version([[maybe_unused]] int code) {
#ifdef OPENSSL_EXTRA
  const auto ctx = new_context(true);
  return ctx && wolfSSL_CTX_set_min_proto_version(ctx.get(), code) == WOLFSSL_SUCCESS &&
         wolfSSL_CTX_get_min_proto_version(ctx.get()) == code &&
         wolfSSL_CTX_set_max_proto_version(ctx.get(), code) == WOLFSSL_SUCCESS &&
         wolfSSL_CTX_get_max_proto_version(ctx.get()) == code;
#else
  return false;
#endif
}

// A group counts when wolfSSL takes it as a supported group and can generate a key share for
// it: wolfSSL_set_groups alone accepts FFDHE sizes the build has no parameters for.
bool has_group(WOLFSSL_CTX* client_ctx, std::uint16_t code) {
  const auto ssl = scratch(client_ctx);
  int id = group_id(code);
  return ssl && wolfSSL_set_groups(ssl.get(), &id, 1) == WOLFSSL_SUCCESS &&
         wolfSSL_UseKeyShare(ssl.get(), static_cast<word16>(id)) == WOLFSSL_SUCCESS;
}

bool has_cipher_suite(WOLFSSL_CTX* ctx, const CipherSuiteInfo& suite) {
  if (!suite_internal_name(suite.code)) return false;
#if defined(OPENSSL_EXTRA) || defined(WOLFSSL_SET_CIPHER_BYTES)
  const byte code[2] = {static_cast<byte>(suite.code >> 8), static_cast<byte>(suite.code & 0xFF)};
  return wolfSSL_CTX_set_cipher_list_bytes(ctx, code, 2) == WOLFSSL_SUCCESS;
#else
  const std::string name(suite.name);
  return wolfSSL_CTX_set_cipher_list(ctx, name.c_str()) == WOLFSSL_SUCCESS;
#endif
}

bool can_select_key_shares(WOLFSSL_CTX* client_ctx, const std::vector<std::string>& groups) {
  const auto ssl = scratch(client_ctx);
  if (!ssl || groups.empty() || wolfSSL_NoKeyShares(ssl.get()) != WOLFSSL_SUCCESS) return false;
  const auto g = group_by_name(groups.front());
  return g &&
         wolfSSL_UseKeyShare(ssl.get(), static_cast<word16>(group_id(g->code))) == WOLFSSL_SUCCESS;
}

bool can_follow_client_order(WOLFSSL_CTX* server_ctx) {
  const auto ssl = scratch(server_ctx);
  return ssl && wolfSSL_UseClientSuites(ssl.get()) == 0;
}

bool has_session_tickets([[maybe_unused]] WOLFSSL_CTX* client_ctx,
                         [[maybe_unused]] WOLFSSL_CTX* server_ctx) {
#ifdef HAVE_SESSION_TICKET
  const auto client = scratch(client_ctx);
  const auto server = scratch(server_ctx);
  return client && server && wolfSSL_UseSessionTicket(client.get()) == WOLFSSL_SUCCESS &&
         wolfSSL_no_ticket_TLSv13(server.get()) == 0 &&
         wolfSSL_NoTicketTLSv12(server.get()) == WOLFSSL_SUCCESS;
#else
  return false;
#endif
}

bool can_check_hostname(WOLFSSL_CTX* client_ctx) {
  const auto ssl = scratch(client_ctx);
  return ssl && wolfSSL_check_domain_name(ssl.get(), "probe.tlsmatrix.test") == WOLFSSL_SUCCESS;
}

}  // namespace

Capabilities probe_capabilities() {
  ensure_initialized();
  Capabilities caps;
  LegacyLists legacy;
  caps.stack = "wolfssl";
  caps.library = "wolfSSL";
  caps.version = wolfSSL_lib_version();
  caps.version_text = "wolfSSL " + caps.version;

  const auto client_ctx = new_context(true);
  const auto server_ctx = new_context(false);
  if (!client_ctx || !server_ctx) return caps;

  for (const auto& v : known_versions())
    if (has_version(v.code)) legacy.versions.emplace_back(v.name);
  for (const auto& g : known_groups())
    if (has_group(client_ctx.get(), g.code)) legacy.groups.emplace_back(g.name);
  for (const auto& s : known_cipher_suites())
    if (has_cipher_suite(client_ctx.get(), s)) legacy.cipher_suites.emplace_back(s.name);
  legacy.psk_modes = supported_psk_modes();

  auto& f = legacy.features;
  if (can_select_key_shares(client_ctx.get(), legacy.groups)) f.emplace_back("key_share_selection");
  if (can_follow_client_order(server_ctx.get())) f.emplace_back("server_preference");
  if (!legacy.psk_modes.empty()) f.emplace_back("external_psk");
  if (has_session_tickets(client_ctx.get(), server_ctx.get())) f.emplace_back("session_tickets");
  if (keylog_available()) f.emplace_back("keylog");
  if (can_check_hostname(client_ctx.get())) f.emplace_back("hostname_verification");
  f.emplace_back("client_certificates");
  apply_legacy_lists(caps, legacy);
  return caps;
}

}  // namespace tlsmatrix::wolfssl
