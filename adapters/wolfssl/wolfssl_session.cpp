// Turns an EndpointConfig into a configured wolfSSL context and connection object.
#include "wolfssl_session.hpp"

#include <fmt/format.h>
#include <wolfssl/wolfcrypt/dh.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "stack_adapter.hpp"
#include "tls_registry.hpp"
#include "wolfssl_names.hpp"

namespace tlsmatrix::wolfssl {
namespace {

// wolfSSL's text for a return code, so a refusal says why, not only what.
std::string reason(int code) {
  const char* text = wolfSSL_ERR_reason_error_string(static_cast<unsigned long>(code));
  return fmt::format("{} ({})", text ? text : "unknown error", code);
}

void require(bool ok, const char* setting, const std::string& why) {
  if (!ok) throw ConfigRejected(setting, why);
}

// A library failure that refuses no setting in particular.
void require_library(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(fmt::format("wolfSSL: {} failed", what));
}

int version_or_throw(const char* key, const std::string& name) {
  const auto code = version_code(name);
  if (!code) throw ConfigRejected(key, fmt::format("unknown version '{}'", name));
  return *code;
}

void set_versions(WOLFSSL_CTX* ctx, const EndpointConfig& config) {
  const int min = version_or_throw("min_version", config.min_version);
  const int max = version_or_throw("max_version", config.max_version);
  require(min <= max, "min_version", "above max_version");
#ifdef OPENSSL_EXTRA
  // set_min maps versions this build lacks onto the next one up, so read the result back.
  require(wolfSSL_CTX_set_min_proto_version(ctx, min) == WOLFSSL_SUCCESS &&
              wolfSSL_CTX_get_min_proto_version(ctx) == min,
          "min_version", fmt::format("wolfSSL cannot enable {}", config.min_version));
  require(wolfSSL_CTX_set_max_proto_version(ctx, max) == WOLFSSL_SUCCESS, "max_version",
          fmt::format("wolfSSL cannot enable {}", config.max_version));
#else
  (void)ctx;
  throw ConfigRejected("min_version",
                       "this wolfSSL build lacks the version-range API (OPENSSL_EXTRA)");
#endif
}

int verify_mode(const EndpointConfig& config) {
  if (config.role == Role::client && config.verify_server) return WOLFSSL_VERIFY_PEER;
  if (config.role == Role::server && config.require_client_certificate)
    return WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  return WOLFSSL_VERIFY_NONE;
}

void load_credentials(WOLFSSL_CTX* ctx, const EndpointConfig& config) {
  const auto bytes = [](const std::string& s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  };
  const auto size = [](const std::string& s) { return static_cast<long>(s.size()); };
  if (config.certificate) {
    const auto& c = *config.certificate;
    const int rc =
        wolfSSL_CTX_use_certificate_chain_buffer(ctx, bytes(c.chain_pem), size(c.chain_pem));
    require(rc == WOLFSSL_SUCCESS, "certificate", "chain_pem: " + reason(rc));
    const int rk = wolfSSL_CTX_use_PrivateKey_buffer(ctx, bytes(c.key_pem), size(c.key_pem),
                                                     WOLFSSL_FILETYPE_PEM);
    require(rk == WOLFSSL_SUCCESS, "certificate", "key_pem: " + reason(rk));
  }
  if (!config.trust_anchors_pem.empty()) {
    const auto& pem = config.trust_anchors_pem;
    const int rt = wolfSSL_CTX_load_verify_buffer(ctx, bytes(pem), size(pem), WOLFSSL_FILETYPE_PEM);
    require(rt == WOLFSSL_SUCCESS, "trust_anchors_pem", reason(rt));
  }
  wolfSSL_CTX_set_verify(ctx, verify_mode(config), nullptr);
}

// Unlike OpenSSL, wolfSSL has no automatic DH parameters: without them its server does TLS 1.2
// DHE only with clients that name an FFDHE group (RFC 7919). Give it the RFC 7919 group the
// config prefers (ffdhe2048 by default), from wolfCrypt's own tables. They are set per
// connection with the key test off: the context-wide call tests the well-known prime for
// primality every time, about half a second per server.
std::optional<std::uint16_t> set_dhe_parameters([[maybe_unused]] WOLFSSL* ssl,
                                                const EndpointConfig& config) {
#ifndef NO_DH
  if (config.role != Role::server) return std::nullopt;
  int name = WC_FFDHE_2048;
  if (!config.groups.empty()) {
    const auto ffdhe = std::find_if(config.groups.begin(), config.groups.end(), [](const auto& g) {
      const auto info = group_by_name(g);
      return info && info->kind == "ffdhe";
    });
    if (ffdhe == config.groups.end()) return std::nullopt;  // left out on purpose
    name = group_by_name(*ffdhe)->code;
  }
  word32 p_size = 0, g_size = 0;
  if (wc_DhCopyNamedKey(name, nullptr, &p_size, nullptr, &g_size, nullptr, nullptr) != 0 ||
      p_size == 0)
    return std::nullopt;  // this build lacks the group; the groups check reports that
  std::vector<byte> p(p_size), g(g_size);
  wc_DhCopyNamedKey(name, p.data(), &p_size, g.data(), &g_size, nullptr, nullptr);
  wolfSSL_SetEnableDhKeyTest(ssl, 0);
  const int rc =
      wolfSSL_SetTmpDH(ssl, p.data(), static_cast<int>(p_size), g.data(), static_cast<int>(g_size));
  require(rc == WOLFSSL_SUCCESS, "groups", "wolfSSL refused DH parameters: " + reason(rc));
  return static_cast<std::uint16_t>(name);
#else
  return std::nullopt;
#endif
}

#if defined(HAVE_SECRET_CALLBACK) && defined(OPENSSL_EXTRA)
constexpr int kSessionExIndex = 0;

void on_keylog_line(const WOLFSSL* ssl, const char* line) {
  auto* session = static_cast<Session*>(wolfSSL_get_ex_data(ssl, kSessionExIndex));
  if (session != nullptr && line != nullptr) session->keylog.emplace_back(line);
}
#endif

std::vector<int> group_ids(const char* key, const std::vector<std::string>& names) {
  std::vector<int> ids;
  for (const auto& name : names) {
    const auto g = group_by_name(name);
    if (!g) throw ConfigRejected(key, fmt::format("unknown group '{}'", name));
    ids.push_back(group_id(g->code));
  }
  return ids;
}

// A wolfSSL TLS 1.2 server takes its ECDHE curve from the client's list and consults only its
// "disabled curves" mask, which wolfSSL_CTX_set1_curves_list sets; the context is the place
// because the call fails on a connection already capped below TLS 1.3. FFDHE groups are not
// in the mask, and an empty list disables every curve.
void restrict_curves([[maybe_unused]] WOLFSSL_CTX* ctx, const EndpointConfig& config) {
  if (config.groups.empty()) return;
#ifdef OPENSSL_EXTRA
  std::string names;
  for (const auto& group : config.groups) {
    const auto g = group_by_name(group);
    if (!g || g->kind != "ecdhe") continue;
    // The list takes only these five (the Montgomery curves in upper case); with any other
    // curve configured, disabling the rest would disable that one too.
    const char* name = g->code == 29 ? "X25519" : g->code == 30 ? "X448" : nullptr;
    if (name == nullptr && (g->code == 23 || g->code == 24 || g->code == 25)) name = g->name.data();
    if (name == nullptr) return;
    names += (names.empty() ? "" : ":") + std::string(name);
  }
  require(wolfSSL_CTX_set1_curves_list(ctx, names.c_str()) == WOLFSSL_SUCCESS, "groups",
          fmt::format("wolfSSL refused the curve list '{}'", names));
#endif
}

// wolfSSL_set_groups (which also ranks the groups for key share selection) works only on a
// connection that may still negotiate TLS 1.3; below that, the plain supported_groups list.
void set_groups(WOLFSSL* ssl, const EndpointConfig& config, bool tls13) {
  if (!config.groups.empty() && !tls13) {
    const auto ids = group_ids("groups", config.groups);
    for (std::size_t i = 0; i < ids.size(); ++i)
      require(wolfSSL_UseSupportedCurve(ssl, static_cast<word16>(ids[i])) == WOLFSSL_SUCCESS,
              "groups", fmt::format("wolfSSL does not support '{}'", config.groups[i]));
  } else if (!config.groups.empty()) {
    auto ids = group_ids("groups", config.groups);
    if (wolfSSL_set_groups(ssl, ids.data(), static_cast<int>(ids.size())) != WOLFSSL_SUCCESS) {
      // Name the culprit: the first group wolfSSL refuses on its own.
      for (std::size_t i = 0; i < ids.size(); ++i) {
        int one = ids[i];
        require(wolfSSL_set_groups(ssl, &one, 1) == WOLFSSL_SUCCESS, "groups",
                fmt::format("wolfSSL does not support '{}'", config.groups[i]));
      }
      throw ConfigRejected("groups", fmt::format("wolfSSL refused the list of {}", ids.size()));
    }
  }
  // Key shares exist only in TLS 1.3.
  if (config.role == Role::client && config.key_shares && tls13) {
    const auto ids = group_ids("key_shares", *config.key_shares);
    require(wolfSSL_NoKeyShares(ssl) == WOLFSSL_SUCCESS, "key_shares",
            "wolfSSL cannot clear its key shares");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const int rc = wolfSSL_UseKeyShare(ssl, static_cast<word16>(ids[i]));
      require(rc == WOLFSSL_SUCCESS, "key_shares",
              fmt::format("no key share for '{}': {}", (*config.key_shares)[i], reason(rc)));
    }
  }
}

void set_cipher_suites(WOLFSSL* ssl, const EndpointConfig& config) {
  if (!config.cipher_suites.empty()) {
    std::vector<byte> codes;
    for (const auto& name : config.cipher_suites) {
      const auto suite = cipher_suite_by_name(name);
      if (!suite) throw ConfigRejected("cipher_suites", fmt::format("unknown suite '{}'", name));
      require(suite_internal_name(suite->code).has_value(), "cipher_suites",
              fmt::format("wolfSSL does not have '{}'", name));
      codes.push_back(static_cast<byte>(suite->code >> 8));
      codes.push_back(static_cast<byte>(suite->code & 0xFF));
    }
#if defined(OPENSSL_EXTRA) || defined(WOLFSSL_SET_CIPHER_BYTES)
    // By code point, because with OPENSSL_EXTRA the by-name call behaves like OpenSSL's and
    // keeps the default suites of whichever protocol version the list leaves out.
    const int rc = wolfSSL_set_cipher_list_bytes(ssl, codes.data(), static_cast<int>(codes.size()));
#else
    std::string names;  // wolfSSL also accepts the IANA spellings
    for (const auto& name : config.cipher_suites) names += (names.empty() ? "" : ":") + name;
    const int rc = wolfSSL_set_cipher_list(ssl, names.c_str());
#endif
    require(rc == WOLFSSL_SUCCESS, "cipher_suites", "wolfSSL refused the list");
  }
  // wolfSSL picks by its own order unless told to follow the client's.
  if (config.role == Role::server && config.server_preference && !*config.server_preference)
    require(wolfSSL_UseClientSuites(ssl) == 0, "server_preference", "wolfSSL refused client order");
}

void set_server_name(WOLFSSL* ssl, const EndpointConfig& config) {
  if (config.role != Role::client || config.server_name.empty()) return;
  const auto& name = config.server_name;
  require(wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, name.data(),
                         static_cast<unsigned short>(name.size())) == WOLFSSL_SUCCESS,
          "server_name", "wolfSSL refused it as SNI");
  if (config.verify_server)
    require(wolfSSL_check_domain_name(ssl, name.c_str()) == WOLFSSL_SUCCESS, "server_name",
            "wolfSSL refused it for hostname verification");
}

#ifdef HAVE_SESSION_TICKET
// wolfSSL calls this for every NewSessionTicket a client receives (TLS 1.2 and 1.3).
int on_session_ticket(WOLFSSL* /*ssl*/, const unsigned char* /*ticket*/, int /*size*/, void* arg) {
  ++static_cast<Session*>(arg)->tickets_received;
  return 0;
}
#endif

void set_session_tickets(WOLFSSL* ssl, const EndpointConfig& config, [[maybe_unused]] bool tls13,
                         [[maybe_unused]] Session& session) {
#ifdef HAVE_SESSION_TICKET
  if (config.role == Role::client) {
    if (config.session_tickets)
      require(wolfSSL_UseSessionTicket(ssl) == WOLFSSL_SUCCESS, "session_tickets",
              "wolfSSL refused");
    // Counted whether or not tickets are wanted: a TLS 1.3 client receives what it is sent.
    require_library(
        wolfSSL_set_SessionTicket_cb(ssl, on_session_ticket, &session) == WOLFSSL_SUCCESS,
        "wolfSSL_set_SessionTicket_cb");
  }
  // A wolfSSL server issues TLS 1.3 tickets unless told not to.
  if (config.role == Role::server && !config.session_tickets) {
    require(wolfSSL_NoTicketTLSv12(ssl) == WOLFSSL_SUCCESS, "session_tickets",
            "wolfSSL cannot stop issuing TLS 1.2 tickets");
    require(!tls13 || wolfSSL_no_ticket_TLSv13(ssl) == 0, "session_tickets",
            "wolfSSL cannot stop issuing TLS 1.3 tickets");
  }
#else
  require(!config.session_tickets, "session_tickets", "this wolfSSL build has no session tickets");
  (void)ssl;
#endif
}

#ifdef OPENSSL_EXTRA
// wolfSSL's message callback reports the handshake messages this side sends (it reports the
// ones it receives only with WOLFSSL_CALLBACKS in TLS 1.3); the PSK bookkeeping reads them.
void on_message(int write_p, int version, int content_type, const void* buf, size_t len,
                WOLFSSL* ssl, void* arg) {
  auto* session = static_cast<Session*>(arg);
  if (session != nullptr)
    note_psk_message(session->psk, write_p, version, content_type, buf, len, ssl);
}
#endif

#ifdef WOLFSSL_ALWAYS_VERIFY_CB
// With WOLFSSL_ALWAYS_VERIFY_CB wolfSSL calls the verify callback for every certificate of a
// Certificate message it processes, whatever the verify mode: the one sign, from the library,
// that a certificate arrived in this handshake (a resumed session carries none, yet
// wolfSSL_get_peer_certificate still returns the one stored with the session).
int on_verify(int preverify_ok, WOLFSSL_X509_STORE_CTX* store) {
  auto* session = static_cast<Session*>(store->userCtx);
  if (session == nullptr) return preverify_ok;
  session->certificate_received = true;
  // The verdict stays the library's: with VERIFY_NONE it is ignored, otherwise kept.
  return verify_mode(session->context->config) == WOLFSSL_VERIFY_NONE ? 1 : preverify_ok;
}
#endif

void observe_handshake(WOLFSSL* ssl, Session& session) {
#ifdef OPENSSL_EXTRA
  wolfSSL_set_msg_callback_arg(ssl, &session);
  wolfSSL_set_msg_callback(ssl, on_message);
#endif
#ifdef WOLFSSL_ALWAYS_VERIFY_CB
  session.certificate_received = false;
  wolfSSL_SetCertCbCtx(ssl, &session);
  wolfSSL_set_verify(ssl, verify_mode(session.context->config), on_verify);
#else
  (void)ssl;
  (void)session;
#endif
}

}  // namespace

bool keylog_available() {
#if defined(HAVE_SECRET_CALLBACK) && defined(OPENSSL_EXTRA)
  return true;
#else
  return false;
#endif
}

Context::~Context() {
  resumable.reset();
  ctx.reset();
}

Session::~Session() {
  // A client keeps what its connection received for the next one: the session holds the newest
  // ticket (TLS 1.3 tickets arrive after the handshake, read with the server's application
  // data). Without a ticket on this connection the next one makes a full handshake.
  if (context && ssl && role == Role::client && context->config.session_tickets)
    context->resumable.reset(tickets_received > 0 ? wolfSSL_get1_session(ssl.get()) : nullptr);
  ssl.reset();
  context.reset();
#ifdef FP_ECC
  // wolfSSL keeps a fixed-point ECC cache per thread (FP_ECC) that only wc_ecc_fp_free()
  // releases. The capability probe configures and runs each handshake on a thread of its own,
  // so without this every probe thread's cache leaked (LeakSanitizer: 267 MB for one
  // --capabilities). Here rather than in the connection, since configuring alone already
  // generates key shares, and a configured session may never be attached.
  wc_ecc_fp_free();
#endif
}

std::shared_ptr<Context> configure_context(const EndpointConfig& config) {
  auto c = std::make_shared<Context>();
  c->config = config;
  c->ctx = new_context(config.role == Role::client);
  require_library(c->ctx != nullptr, "wolfSSL_CTX_new");
  require(config.connections == 1 || config.psks.empty(), "connections",
          "resumption together with external PSKs is not supported by this adapter");

  // RFC 7507 §4: the SCSV is a client's signal. wolfSSL checks for it as a server
  // (HAVE_FALLBACK_SCSV) but has no client call that sends it, and its cipher list setters drop
  // 0x5600 as a suite they do not know.
  require(config.role == Role::client || !config.fallback_scsv, "fallback_scsv",
          "client-only setting: a server does not send TLS_FALLBACK_SCSV");
  require(!config.fallback_scsv, "fallback_scsv",
          fmt::format("wolfSSL {} has no client API that sends TLS_FALLBACK_SCSV (0x5600); it "
                      "only checks for it as a server",
                      wolfSSL_lib_version()));

  set_versions(c->ctx.get(), config);
  restrict_curves(c->ctx.get(), config);
  load_credentials(c->ctx.get(), config);
  if (config.keylog) {
    require(keylog_available(), "keylog", "this wolfSSL build has no secret callback");
#if defined(HAVE_SECRET_CALLBACK) && defined(OPENSSL_EXTRA)
    wolfSSL_CTX_set_keylog_callback(c->ctx.get(), on_keylog_line);
#endif
  }
  return c;
}

std::unique_ptr<Session> new_session(const std::shared_ptr<Context>& context) {
  const EndpointConfig& config = context->config;
  auto s = std::make_unique<Session>();
  s->context = context;
  s->role = config.role;
  s->timeout_ms = config.timeout_ms;
  s->ssl.reset(wolfSSL_new(context->ctx.get()));
  require_library(s->ssl != nullptr, "wolfSSL_new");
  s->dhe_parameters = set_dhe_parameters(s->ssl.get(), config);
  WOLFSSL* ssl = s->ssl.get();
  // wolfSSL_new already lowered the version when max_version is below TLS 1.3, and the TLS 1.3
  // calls refuse such a connection.
  const bool tls13 = wolfSSL_GetVersion(ssl) == WOLFSSL_TLSV1_3;
#if defined(HAVE_SECRET_CALLBACK) && defined(OPENSSL_EXTRA)
  wolfSSL_set_ex_data(ssl, kSessionExIndex, s.get());
#endif

  install_psk(ssl, config, tls13, s->psk);
  set_groups(ssl, config, tls13);
  set_cipher_suites(ssl, config);  // after install_psk, which resets the suite list
  set_server_name(ssl, config);
  set_session_tickets(ssl, config, tls13, *s);
  observe_handshake(ssl, *s);
  return s;
}

void attach_session(Session& session, int fd) {
  WOLFSSL* ssl = session.ssl.get();
  require_library(wolfSSL_set_fd(ssl, fd) == WOLFSSL_SUCCESS, "wolfSSL_set_fd");
  session.fd = fd;
  const auto& resumable = session.context->resumable;
  if (session.role == Role::client && resumable)
    require_library(wolfSSL_set_session(ssl, resumable.get()) == WOLFSSL_SUCCESS,
                    "wolfSSL_set_session");
}

}  // namespace tlsmatrix::wolfssl
