#include "wolfssl_connection.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <wolfssl/options.h>

#include <algorithm>
#include <climits>

#include "tls_registry.hpp"
#include "wolfssl_names.hpp"
#include "wolfssl_peer_certificate.hpp"

namespace tlsmatrix::wolfssl {
namespace {

// How long close() waits for the peer's close_notify, so alert_received reflects it.
constexpr std::uint32_t kCloseWaitMs = 1000;

std::optional<Alert> alert_from(const WOLFSSL_ALERT& a) {
  if (a.code < 0 || a.code > 255 || a.level <= 0) return std::nullopt;  // -1: none yet
  const auto code = static_cast<std::uint8_t>(a.code);
  return Alert{code, alert_name(code), a.level == alert_fatal};
}

int clamp_size(std::size_t n) {
  return static_cast<int>(std::min<std::size_t>(n, INT_MAX));
}

}  // namespace

void WolfsslConnection::note_failure(int ret) {
  if (!error_.empty()) return;
  const int err = wolfSSL_get_error(s_->ssl.get(), ret);
  if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
    // The socket is blocking with a timeout, so "want" means the timeout expired.
    error_ = fmt::format("timed out after {} ms waiting for the peer (wolfSSL error {})",
                         s_->timeout_ms, err);
    return;
  }
  // OPENSSL_EXTRA builds fold some failures (no shared cipher suite, peer gone) into
  // SSL_ERROR_SYSCALL; wolfSSL's own code is still on the error queue.
  auto code = static_cast<unsigned long>(err);
#ifdef OPENSSL_EXTRA
  if (err == WOLFSSL_ERROR_SYSCALL && wolfSSL_ERR_peek_last_error() != 0)
    code = wolfSSL_ERR_peek_last_error();
#endif
  char text[WOLFSSL_MAX_ERROR_SZ] = {};
  wolfSSL_ERR_error_string_n(code, text, sizeof text);
  error_ = text;
}

bool WolfsslConnection::handshake() {
  WOLFSSL* ssl = s_->ssl.get();
  wolfSSL_ERR_clear_error();  // capability probing may have left entries behind
  const int ret = s_->role == Role::client ? wolfSSL_connect(ssl) : wolfSSL_accept(ssl);
  handshake_done_ = ret == WOLFSSL_SUCCESS;
  if (!handshake_done_) note_failure(ret);
  peer_certificate_ = summarize_peer_certificate(ssl);
  return handshake_done_;
}

bool WolfsslConnection::write_all(std::span<const std::byte> data) {
  while (!data.empty()) {
    const int n = wolfSSL_write(s_->ssl.get(), data.data(), clamp_size(data.size()));
    if (n <= 0) {
      note_failure(n);
      return false;
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

std::ptrdiff_t WolfsslConnection::read(std::span<std::byte> buf) {
  const int n = wolfSSL_read(s_->ssl.get(), buf.data(), clamp_size(buf.size()));
  if (n > 0) return n;
  if (wolfSSL_get_error(s_->ssl.get(), n) == WOLFSSL_ERROR_ZERO_RETURN) return 0;  // close_notify
  note_failure(n);
  return -1;
}

void WolfsslConnection::close() {
  if (closed_ || !handshake_done_) return;
  closed_ = true;
  if (wolfSSL_shutdown(s_->ssl.get()) != WOLFSSL_SHUTDOWN_NOT_DONE) return;
  // Our close_notify is out; collect the peer's if it comes promptly.
  pollfd p{s_->fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(std::min(s_->timeout_ms, kCloseWaitMs))) > 0)
    wolfSSL_shutdown(s_->ssl.get());
}

void WolfsslConnection::describe_negotiated(HandshakeOutcome& out) const {
  WOLFSSL* ssl = s_->ssl.get();
  out.version = version_name_from_wolfssl(wolfSSL_GetVersion(ssl));
  const bool tls13 = out.version == "TLSv1.3";
  const int suite = wolfSSL_get_current_cipher_suite(ssl);
  if (suite > 0) out.cipher_suite = static_cast<std::uint16_t>(suite);

  describe_psk(ssl, s_->psk, s_->context->config, out);
  // After psk_ke wolfSSL_get_curve_name() still names the client's own key share, so with a
  // TLS 1.3 PSK the group is known only when the mode is known to be psk_dhe_ke.
  if (tls13 && out.psk_used && out.psk_mode != "psk_dhe_ke") return;
  // A plain TLS 1.2 PSK suite has no key exchange group, yet a wolfSSL server still names the
  // FFDHE group it took from the client's supported_groups.
  if (!tls13 && out.cipher_suite && cipher_suite_name(*out.cipher_suite).starts_with("TLS_PSK_"))
    return;
  if (const char* curve = wolfSSL_get_curve_name(ssl))
    out.group = group_code_from_curve_name(curve, tls13);
  // Nothing named and still DHE: the server used the parameters it was given.
  if (!out.group && out.cipher_suite && s_->dhe_parameters &&
      cipher_suite_name(*out.cipher_suite).starts_with("TLS_DHE_"))
    out.group = s_->dhe_parameters;
}

void WolfsslConnection::describe(HandshakeOutcome& out) const {
  WOLFSSL* ssl = s_->ssl.get();
  WOLFSSL_ALERT_HISTORY history{};
  history.last_rx.code = history.last_tx.code = -1;
  wolfSSL_get_alert_history(ssl, &history);
  out.alert_sent = alert_from(history.last_tx);
  out.alert_received = alert_from(history.last_rx);

  if (handshake_done_) {
    out.resumed = wolfSSL_session_reused(ssl) != 0;
    describe_negotiated(out);
  }
  // Only a certificate that arrived in this handshake. Where the build cannot report that
  // (certificate_received null), a resumed handshake is known to carry none (RFC 8446 §2.2,
  // RFC 5246 §7.3).
  const bool certificate_arrived = s_->certificate_received.value_or(!out.resumed.value_or(false));
  if (certificate_arrived) out.peer_certificate = peer_certificate_;
  if (s_->role == Role::client) out.tickets_received = s_->tickets_received;
  // wolfSSL has no getter for whether a HelloRetryRequest happened: hello_retry_request stays
  // null.
  out.keylog = s_->keylog;
  if (out.error.empty()) out.error = error_;
}

}  // namespace tlsmatrix::wolfssl
