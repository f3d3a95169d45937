#include "gnutls_connection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "gnutls_names.hpp"
#include "gnutls_peer_certificate.hpp"
#include "hex_text.hpp"

namespace tlsmatrix::gnutls_adapter {
namespace {

using Clock = std::chrono::steady_clock;

int on_handshake_message(gnutls_session_t session, unsigned int type, unsigned int /*when*/,
                         unsigned int incoming, const gnutls_datum_t* /*message*/) {
  SessionContext* ctx = session_context(session);
  if (ctx == nullptr) return 0;
  switch (type) {
    case GNUTLS_HANDSHAKE_SERVER_HELLO:
      ctx->server_hello_seen = true;
      break;
    // GnuTLS reports a HelloRetryRequest under its own pseudo type, sent or received.
    case GNUTLS_HANDSHAKE_HELLO_RETRY_REQUEST:
      ctx->hello_retry_request = true;
      break;
    // The peer's certificate counts only when its Certificate message arrived in this
    // handshake: on a resumed session GnuTLS still returns the one stored with the session.
    case GNUTLS_HANDSHAKE_CERTIFICATE_PKT:
      if (incoming != 0) ctx->certificate_received = true;
      break;
    case GNUTLS_HANDSHAKE_NEW_SESSION_TICKET:
      ++(incoming != 0 ? ctx->tickets_received : ctx->tickets_sent);
      break;
    default:
      break;
  }
  return 0;
}

// SSLKEYLOGFILE lines name the connection by its client random.
int on_keylog(gnutls_session_t session, const char* label, const gnutls_datum_t* secret) {
  SessionContext* ctx = session_context(session);
  if (ctx == nullptr) return 0;
  gnutls_datum_t client_random{nullptr, 0};
  gnutls_datum_t server_random{nullptr, 0};
  gnutls_session_get_random(session, &client_random, &server_random);
  try {  // nothing may unwind through GnuTLS
    ctx->keylog.push_back(
        fmt::format("{} {} {}", label, hex_of(as_bytes(client_random)), hex_of(as_bytes(*secret))));
  } catch (...) {
    return -1;
  }
  return 0;
}

// GnuTLS chooses a client's key shares itself through one gnutls_init() flag: a share for the
// first enabled group (GNUTLS_KEY_SHARE_TOP), or for the top two or three "different" groups,
// a notion the API does not define. Only the first form says which set it sends, so that is
// the one set this adapter can promise.
unsigned key_share_flag(const EndpointConfig& config) {
  const auto& shares = *config.key_shares;
  if (config.groups.empty())
    reject("key_shares", "GnuTLS places key shares only within a configured `groups` list");
  if (shares.empty()) reject("key_shares", "GnuTLS always sends at least one key share");
  if (std::any_of(shares.begin(), shares.end(),
                  [&](const std::string& s) { return s != config.groups.front(); }))
    reject("key_shares",
           fmt::format("GnuTLS {} can be told to share only the first of `groups` ({}); for "
                       "more it picks the groups itself (GNUTLS_KEY_SHARE_TOP2/TOP3)",
                       library_version(), config.groups.front()));
  return GNUTLS_KEY_SHARE_TOP;
}

// Errors where the transport is gone or stalled: an alert could not reach the peer or would
// only describe our own impatience.
bool answer_with_alert(int error) {
  switch (error) {
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
    case GNUTLS_E_WARNING_ALERT_RECEIVED:
    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_PULL_ERROR:
    case GNUTLS_E_PUSH_ERROR:
    case GNUTLS_E_TIMEDOUT:
    case GNUTLS_E_AGAIN:
    case GNUTLS_E_INTERRUPTED:
      return false;
    default:
      return true;
  }
}

}  // namespace

EndpointContext::EndpointContext(const EndpointConfig& endpoint_config)
    : config(endpoint_config),
      credentials(make_credentials(config)),
      priority(compile_priority(config)) {
  if (config.role == Role::server && config.session_tickets)
    require_library(gnutls_session_ticket_key_generate(ticket_key.fill()),
                    "generating a ticket key");
}

GnutlsConnection::GnutlsConnection(std::shared_ptr<EndpointContext> endpoint)
    : endpoint_(std::move(endpoint)), config_(endpoint_->config) {
  context_.psks = &config_.psks;

  unsigned flags = init_flags();
  if (config_.role == Role::client && config_.key_shares) flags |= key_share_flag(config_);

  gnutls_session_t raw = nullptr;
  require_library(gnutls_init(&raw, flags), "creating a session");
  session_.reset(raw);
  configure(raw);
  gnutls_session_set_ptr(raw, &context_);
  gnutls_handshake_set_hook_function(raw, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_POST,
                                     on_handshake_message);
  if (config_.keylog) gnutls_session_set_keylog_function(raw, on_keylog);
  gnutls_handshake_set_timeout(raw, config_.timeout_ms);
  gnutls_record_set_timeout(raw, config_.timeout_ms);
}

void GnutlsConnection::attach(int fd) {
  gnutls_transport_set_int(session_.get(), fd);
  // Offered once: the next connection offers what this one receives, or nothing.
  SecretDatum& offered = endpoint_->resumption_data;
  if (config_.role == Role::client && !offered.empty()) {
    require_library(gnutls_session_set_data(session_.get(), offered.get().data, offered.get().size),
                    "offering the previous connection's session");
    offered.reset();
  }
}

GnutlsConnection::~GnutlsConnection() {
  if (config_.session_tickets)
    std::cerr << fmt::format("gnutls: NewSessionTicket messages sent {}, received {}\n",
                             context_.tickets_sent, context_.tickets_received);
}

unsigned GnutlsConnection::init_flags() const {
  unsigned flags =
      (config_.role == Role::client ? GNUTLS_CLIENT : GNUTLS_SERVER) | GNUTLS_NO_SIGNAL;
  if (!config_.session_tickets) flags |= GNUTLS_NO_TICKETS;
  // GnuTLS otherwise withholds a client certificate whose issuer the server did not list; the
  // configuration asks to present it whenever a certificate is requested.
  if (config_.role == Role::client && config_.certificate) flags |= GNUTLS_FORCE_CLIENT_CERT;
  return flags;
}

void GnutlsConnection::configure(gnutls_session_t session) const {
  require_library(gnutls_priority_set(session, endpoint_->priority.cache.get()),
                  "applying the priority string");
  attach_credentials(session, endpoint_->credentials);
  if (config_.role == Role::client) {
    if (!config_.server_name.empty())
      require_ok(gnutls_server_name_set(session, GNUTLS_NAME_DNS, config_.server_name.data(),
                                        config_.server_name.size()),
                 "server_name", "setting SNI");
    if (config_.verify_server)
      gnutls_session_set_verify_cert(
          session, config_.server_name.empty() ? nullptr : config_.server_name.c_str(), 0);
  } else {
    gnutls_certificate_server_set_request(
        session, config_.require_client_certificate ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_IGNORE);
    if (config_.require_client_certificate) gnutls_session_set_verify_cert(session, nullptr, 0);
    if (!endpoint_->ticket_key.empty())
      require_ok(gnutls_session_ticket_enable_server(session, &endpoint_->ticket_key.get()),
                 "session_tickets", "enabling tickets");
  }
}

bool GnutlsConnection::handshake() {
  gnutls_session_t s = session_.get();
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.timeout_ms);
  for (;;) {
    const int ret = gnutls_handshake(s);
    if (ret == GNUTLS_E_SUCCESS) {
      handshake_done_ = true;
      return true;
    }
    if (ret == GNUTLS_E_WARNING_ALERT_RECEIVED)
      alert_received_ = make_alert(gnutls_alert_get(s), false);
    if (gnutls_error_is_fatal(ret) == 0 && Clock::now() < deadline) continue;
    fail(ret);
    return false;
  }
}

bool GnutlsConnection::write_all(std::span<const std::byte> data) {
  gnutls_session_t s = session_.get();
  std::size_t done = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(config_.timeout_ms);
  while (done < data.size()) {
    const ssize_t n = gnutls_record_send(s, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      deadline = Clock::now() + std::chrono::milliseconds(config_.timeout_ms);
      continue;
    }
    const int err = static_cast<int>(n);
    if (err == GNUTLS_E_WARNING_ALERT_RECEIVED)
      alert_received_ = make_alert(gnutls_alert_get(s), false);
    if (gnutls_error_is_fatal(err) == 0 && Clock::now() < deadline) continue;
    fail(err);
    return false;
  }
  return true;
}

std::ptrdiff_t GnutlsConnection::read(std::span<std::byte> buf) {
  gnutls_session_t s = session_.get();
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.timeout_ms);
  for (;;) {
    const ssize_t n = gnutls_record_recv(s, buf.data(), buf.size());
    if (n > 0) return n;
    if (n == 0) {
      alert_received_ = make_alert(GNUTLS_A_CLOSE_NOTIFY, false);
      return 0;
    }
    const int err = static_cast<int>(n);
    if (err == GNUTLS_E_WARNING_ALERT_RECEIVED)
      alert_received_ = make_alert(gnutls_alert_get(s), false);
    // Non-fatal results (a TLS 1.2 HelloRequest, an interrupted call) leave the session usable.
    if (gnutls_error_is_fatal(err) == 0 && Clock::now() < deadline) continue;
    fail(err);
    return -1;
  }
}

void GnutlsConnection::close() {
  if (!handshake_done_) return;
  if (config_.role == Role::client && config_.session_tickets) keep_session_for_resumption();
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.timeout_ms);
  int ret = 0;
  do {
    // Only our close_notify: waiting for the peer's would tie our exit to its behaviour.
    ret = gnutls_bye(session_.get(), GNUTLS_SHUT_WR);
  } while ((ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) && Clock::now() < deadline);
  if (ret == GNUTLS_E_SUCCESS) alert_sent_ = make_alert(GNUTLS_A_CLOSE_NOTIFY, false);
}

void GnutlsConnection::keep_session_for_resumption() {
  gnutls_session_t s = session_.get();
  SecretDatum& kept = endpoint_->resumption_data;
  kept.reset();
  // GNUTLS_SFLAGS_SESSION_TICKET: a ticket arrived (read with the application data in TLS 1.3).
  // Without one there is nothing to resume, and gnutls_session_get_data2() would wait for a
  // ticket on the socket, then hand out placeholder data.
  if ((gnutls_session_get_flags(s) & GNUTLS_SFLAGS_SESSION_TICKET) == 0) return;
  // In TLS 1.3 this packs the newest ticket received.
  if (gnutls_session_get_data2(s, kept.fill()) < 0) kept.reset();
}

void GnutlsConnection::fail(int error) {
  gnutls_session_t s = session_.get();
  if (error == GNUTLS_E_FATAL_ALERT_RECEIVED) {
    alert_received_ = make_alert(gnutls_alert_get(s), true);
  } else if (answer_with_alert(error)) {
    // GnuTLS leaves answering a failure to the application; this is its own choice of alert.
    int level = 0;
    const int description = gnutls_error_to_alert(error, &level);
    if (description >= 0 && gnutls_alert_send_appropriate(s, error) == GNUTLS_E_SUCCESS)
      alert_sent_ = make_alert(description, level == GNUTLS_AL_FATAL);
  }
  error_ = gnutls_strerror(error);
  if (error == GNUTLS_E_TIMEDOUT || error == GNUTLS_E_AGAIN)
    error_ += fmt::format(" (no progress within {} ms)", config_.timeout_ms);

  // The status is only meaningful once the library verified a chain and found it wanting.
  const unsigned status = gnutls_session_get_verify_cert_status(s);
  if (error == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR && status != 0 &&
      status != static_cast<unsigned>(-1)) {
    gnutls_datum_t text{nullptr, 0};
    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) >= 0)
      error_ += ": " + take_datum(text);
  }
}

std::optional<std::string> GnutlsConnection::psk_identity_in_use() const {
  gnutls_session_t s = session_.get();
  // A resumed session's PSK is a ticket, not one of the external PSKs.
  if (gnutls_session_is_resumed(s) != 0) return std::nullopt;
  if (config_.role == Role::server) {
    // The identity the client sent and the server looked up, as GnuTLS kept it (any bytes).
    gnutls_datum_t identity{nullptr, 0};
    if (gnutls_psk_server_get_username2(s, &identity) < 0) return std::nullopt;
    return std::string(as_bytes(identity));
  }
  // A GnuTLS client offers exactly one external PSK (more are refused in configure()), so a
  // PSK handshake that is no resumption used that one; GnuTLS has no client-side getter.
  if (config_.psks.size() != 1) return std::nullopt;
  return config_.psks.front().identity;
}

void GnutlsConnection::describe(HandshakeOutcome& out) const {
  gnutls_session_t s = session_.get();
  // Counted by the handshake hook, which GnuTLS calls for each NewSessionTicket it reads.
  if (config_.role == Role::client) out.tickets_received = context_.tickets_received;
  // Until a ServerHello went by the session holds defaults, not negotiated values.
  if (context_.server_hello_seen || handshake_done_) {
    out.version = registry_protocol_name(gnutls_protocol_get_version(s));
    out.cipher_suite = negotiated_suite_code(s);
    const bool tls13 = gnutls_protocol_get_version(s) == GNUTLS_TLS1_3;
    const bool resumed = gnutls_session_is_resumed(s) != 0;
    out.resumed = resumed;
    const gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
    const gnutls_group_t group = gnutls_group_get(s);
    if (tls13 && resumed) {
      // A resumed TLS 1.3 session is a PSK handshake (RFC 8446 §2.2): GnuTLS sets "resumed"
      // only when the ticket's PSK identity was selected (lib/ext/pre_shared_key.c). Measured
      // with 3.7.9, gnutls_kx_get() names no PSK key exchange for it (ECDHE-RSA, or none after
      // psk_ke), so the mode comes from whether a group was negotiated: (EC)DHE or not.
      out.psk_used = true;
      out.psk_mode = group != GNUTLS_GROUP_INVALID ? "psk_dhe_ke" : "psk_ke";
    } else {
      // External PSKs; TLS 1.2 PSK suites are reported in the same terms: without and with
      // (EC)DHE.
      out.psk_used = kx == GNUTLS_KX_PSK || kx == GNUTLS_KX_DHE_PSK || kx == GNUTLS_KX_ECDHE_PSK;
      // PSK key exchange modes exist only in TLS 1.3 (RFC 8446 §4.2.9); a TLS 1.2 PSK suite has
      // none.
      if (out.psk_used && tls13) out.psk_mode = kx == GNUTLS_KX_PSK ? "psk_ke" : "psk_dhe_ke";
      if (out.psk_used) out.psk_identity = psk_identity_in_use();
    }
    // A resumed TLS 1.2 session makes no key exchange; GnuTLS still names the stored one's group.
    if (kx != GNUTLS_KX_PSK && group != GNUTLS_GROUP_INVALID && (tls13 || !resumed))
      out.group = registry_group_code(group);
    out.hello_retry_request = context_.hello_retry_request;
  } else if (context_.hello_retry_request) {
    out.hello_retry_request = true;
  }
  if (context_.certificate_received) out.peer_certificate = peer_certificate(s);
  out.alert_sent = alert_sent_;
  out.alert_received = alert_received_;
  if (!error_.empty()) out.error = error_;
  out.keylog = context_.keylog;
}

}  // namespace tlsmatrix::gnutls_adapter
