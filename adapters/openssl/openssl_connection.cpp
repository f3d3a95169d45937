#include "openssl_connection.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "openssl_errors.hpp"

namespace tlsmatrix::openssl {

OpensslConnection::OpensslConnection(std::unique_ptr<Endpoint> endpoint, int fd)
    : endpoint_(std::move(endpoint)) {
  // SSL_set_fd wraps the descriptor in a BIO that does not close it.
  if (SSL_set_fd(endpoint_->ssl(), fd) != 1)
    throw std::runtime_error(
        fmt::format("OpenSSL cannot use socket descriptor {} ({})", fd, drain_errors()));
}

bool OpensslConnection::handshake() {
  ERR_clear_error();
  const int ret = SSL_do_handshake(endpoint_->ssl());
  if (ret == 1) {
    complete_ = true;
    return true;
  }
  record_failure("handshake", ret);
  return false;
}

bool OpensslConnection::write_all(std::span<const std::byte> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ERR_clear_error();
    std::size_t written = 0;
    const int ret =
        SSL_write_ex(endpoint_->ssl(), data.data() + done, data.size() - done, &written);
    if (ret != 1) {
      record_failure("write", ret);
      return false;
    }
    done += written;
  }
  return true;
}

std::ptrdiff_t OpensslConnection::read(std::span<std::byte> buf) {
  ERR_clear_error();
  std::size_t got = 0;
  const int ret = SSL_read_ex(endpoint_->ssl(), buf.data(), buf.size(), &got);
  if (ret == 1) return static_cast<std::ptrdiff_t>(got);
  if (SSL_get_error(endpoint_->ssl(), ret) == SSL_ERROR_ZERO_RETURN) return 0;
  record_failure("read", ret);
  return -1;
}

void OpensslConnection::close() {
  if (!complete_) return;
  ERR_clear_error();
  // After our close_notify, read until the peer's so that it shows up as the alert received;
  // the socket timeout bounds the wait for a peer that never sends one.
  if (SSL_shutdown(endpoint_->ssl()) == 0) {
    std::byte scratch[4096];
    std::size_t got = 0;
    for (int i = 0; i < 64 && SSL_read_ex(endpoint_->ssl(), scratch, sizeof scratch, &got) == 1;
         ++i) {
    }
  }
  ERR_clear_error();
}

void OpensslConnection::describe(HandshakeOutcome& outcome) const {
  endpoint_->describe(outcome, complete_);
  // The driver may have written its own explanation already; add ours once.
  if (error_.empty() || outcome.error.find(error_) != std::string::npos) return;
  outcome.error = outcome.error.empty() ? error_ : outcome.error + "; " + error_;
}

void OpensslConnection::record_failure(std::string_view step, int ret) {
  const int saved_errno = errno;
  SSL* ssl = endpoint_->ssl();
  const int code = SSL_get_error(ssl, ret);
  std::string reason;
  switch (code) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      // The socket is blocking, so "try again" only comes from its receive/send timeout.
      reason =
          fmt::format("timed out after {} ms waiting for the peer", endpoint_->config().timeout_ms);
      break;
    case SSL_ERROR_ZERO_RETURN:
      reason = "the peer closed the TLS connection (close_notify)";
      break;
    case SSL_ERROR_SYSCALL:
      reason = drain_errors();
      if (reason.empty())
        reason = saved_errno != 0 ? std::strerror(saved_errno) : "the peer closed the connection";
      break;
    default:
      reason = drain_errors();
      break;
  }
  if (reason.empty()) reason = fmt::format("SSL_get_error {}", code);
  if (endpoint_->verifies_peer()) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK)
      reason +=
          fmt::format("; certificate verification: {}", X509_verify_cert_error_string(verify));
  }
  if (!error_.empty()) error_ += "; ";
  error_ += fmt::format("{}: {}", step, reason);
}

}  // namespace tlsmatrix::openssl
