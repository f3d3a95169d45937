#include "botan_callbacks.hpp"

#include <botan/dl_group.h>
#include <botan/tls_exceptn.h>
#include <botan/tls_handshake_msg.h>
#include <botan/tls_policy.h>
#include <botan/tls_session.h>
#include <botan/x509cert.h>
#include <botan/x509path.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "botan_names.hpp"
#include "botan_peer_certificate.hpp"
#include "hex_text.hpp"

namespace tlsmatrix::botan_adapter {
namespace {

using Clock = std::chrono::steady_clock;

// The key log's hex, through the protocol's one encoder.
std::string lower_hex(std::span<const uint8_t> bytes) {
  return hex_of(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

void ConnectionCallbacks::tls_emit_data(std::span<const uint8_t> data) {
  // Botan has no way to be told a write failed but an exception, which it would answer with
  // yet another write; the failure is recorded and the rest dropped instead.
  if (events_.transport_failed) return;
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.timeout_ms);
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd_, POLLOUT, 0};
    if (n < 0 && errno == EAGAIN && left > 0 && ::poll(&p, 1, static_cast<int>(left)) > 0) continue;
    events_.transport_failed = true;
    return;
  }
}

void ConnectionCallbacks::tls_record_received(uint64_t /*seq_no*/, std::span<const uint8_t> data) {
  events_.app_data.append(reinterpret_cast<const char*>(data.data()), data.size());
}

void ConnectionCallbacks::tls_alert(Botan::TLS::Alert alert) {
  if (alert.type() == Botan::TLS::Alert::CloseNotify) events_.peer_closed = true;
  events_.alert_received = make_alert(static_cast<std::uint8_t>(alert.type()), alert.is_fatal());
}

void ConnectionCallbacks::tls_session_established(const Botan::TLS::Session_Summary& session) {
  events_.established = true;
  events_.version = session.version().version_code();
  events_.cipher_suite = session.ciphersuite_code();
  events_.resumed = session.was_resumption();
  events_.external_psk_identity = session.external_psk_identity();
  if (const auto group = session.kex_parameters()) {
    events_.group = registry_group_code(*group);
  } else if (session.version().is_pre_tls_13() && !session.was_resumption()) {
    events_.group = events_.key_agreement_group;
  }
  // A resumed session carries the certificate of the handshake that made it; only a
  // Certificate message of this handshake counts.
  if (!session.was_resumption() && !session.peer_certs().empty())
    events_.peer_certificate = describe_certificate(session.peer_certs().front());
}

void ConnectionCallbacks::tls_verify_cert_chain(
    const std::vector<Botan::X509_Certificate>& cert_chain,
    const std::vector<std::optional<Botan::OCSP::Response>>& ocsp_responses,
    const std::vector<Botan::Certificate_Store*>& trusted_roots, Botan::Usage_Type usage,
    std::string_view hostname, const Botan::TLS::Policy& policy) {
  if (config_.role == Role::client && !config_.verify_server) return;
  // Verification means the chain up to trust_anchors_pem, as for every other stack. The
  // endpoints carry no CRL or OCSP data; Botan 3.12's default callback demands it whatever the
  // policy says ("No revocation data"), so the restrictions are spelled out here.
  const Botan::Path_Validation_Restrictions restrictions(
      /*require_rev=*/false, policy.minimum_signature_strength());
  const auto result = Botan::x509_path_validate(
      cert_chain, restrictions, trusted_roots, hostname, usage, tls_current_timestamp(),
      tls_verify_cert_chain_ocsp_timeout(), ocsp_responses);
  if (!result.successful_validation())
    throw Botan::TLS::TLS_Exception(Botan::TLS::Alert::BadCertificate,
                                    "Certificate validation failure: " + result.result_string());
}

Botan::secure_vector<uint8_t> ConnectionCallbacks::tls_ephemeral_key_agreement(
    const std::variant<Botan::TLS::Group_Params, Botan::DL_Group>& group,
    const Botan::PK_Key_Agreement_Key& private_key, const std::vector<uint8_t>& public_value,
    Botan::RandomNumberGenerator& rng, const Botan::TLS::Policy& policy) {
  // A TLS 1.2 client given explicit DH parameters sees no group code.
  if (const auto* named = std::get_if<Botan::TLS::Group_Params>(&group))
    events_.key_agreement_group = named->wire_code();
  return Callbacks::tls_ephemeral_key_agreement(group, private_key, public_value, rng, policy);
}

void ConnectionCallbacks::tls_inspect_handshake_msg(const Botan::TLS::Handshake_Message& message) {
  // Botan reports messages it sends and receives alike; HRR is one either way.
  if (message.type() == Botan::TLS::Handshake_Type::HelloRetryRequest)
    events_.hello_retry_request = true;
  // TLS 1.2 NewSessionTicket messages come here; a client only receives them.
  if (message.type() == Botan::TLS::Handshake_Type::NewSessionTicket &&
      config_.role == Role::client)
    ++events_.tickets_received;
  Callbacks::tls_inspect_handshake_msg(message);
}

void ConnectionCallbacks::tls_examine_extensions(const Botan::TLS::Extensions& extensions,
                                                 Botan::TLS::Connection_Side which_side,
                                                 Botan::TLS::Handshake_Type which_message) {
  // A TLS 1.3 client examines each NewSessionTicket it reads here (post-handshake messages skip
  // tls_inspect_handshake_msg).
  if (which_message == Botan::TLS::Handshake_Type::NewSessionTicket && config_.role == Role::client)
    ++events_.tickets_received;
  Callbacks::tls_examine_extensions(extensions, which_side, which_message);
}

void ConnectionCallbacks::tls_ssl_key_log_data(std::string_view label,
                                               std::span<const uint8_t> client_random,
                                               std::span<const uint8_t> secret) const {
  events_.keylog.push_back(
      fmt::format("{} {} {}", label, lower_hex(client_random), lower_hex(secret)));
}

}  // namespace tlsmatrix::botan_adapter
