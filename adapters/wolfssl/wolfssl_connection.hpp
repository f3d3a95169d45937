// TlsConnection over a configured wolfSSL session: handshake, application data, close_notify
// and the description of what happened.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "stack_adapter.hpp"
#include "wolfssl_session.hpp"

namespace tlsmatrix::wolfssl {

class WolfsslConnection final : public TlsConnection {
 public:
  explicit WolfsslConnection(std::unique_ptr<Session> session) : s_(std::move(session)) {}

  bool handshake() override;
  bool write_all(std::span<const std::byte> data) override;
  std::ptrdiff_t read(std::span<std::byte> buf) override;
  void close() override;
  void describe(HandshakeOutcome& outcome) const override;

 private:
  // Keeps the first failure's text: later ones are usually its consequences.
  void note_failure(int ret);
  void describe_negotiated(HandshakeOutcome& outcome) const;

  std::unique_ptr<Session> s_;
  bool handshake_done_ = false;
  bool closed_ = false;
  std::string error_;
  // The peer's certificate as the handshake left it: the wolfssl-custom build (5.9.2 without
  // SESSION_CERTS) no longer returns it once application data has been exchanged.
  std::optional<PeerCertificate> peer_certificate_;
};

}  // namespace tlsmatrix::wolfssl
