// One TLS endpoint driven by Botan: the policy, credentials and session manager made once from
// its EndpointConfig, and one Client or Server channel per connection, fed from the socket.
#pragma once

#include <botan/rng.h>
#include <botan/tls_channel.h>
#include <botan/tls_session_manager.h>

#include <memory>
#include <optional>
#include <string>

#include "botan_callbacks.hpp"
#include "botan_credentials.hpp"
#include "botan_policy.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::botan_adapter {

// What every connection of one endpoint shares: a server's ticket key and session cache, a
// client's stored tickets, so that the next connection resumes what the previous one got.
struct EndpointContext {
  // Throws ConfigRejected when Botan cannot do exactly what `config` asks.
  explicit EndpointContext(const EndpointConfig& config);

  EndpointConfig config;
  std::shared_ptr<Botan::RandomNumberGenerator> rng;
  std::shared_ptr<EndpointPolicy> policy;
  std::shared_ptr<EndpointCredentials> credentials;
  std::shared_ptr<Botan::TLS::Session_Manager> sessions;
};

class BotanConnection final : public TlsConnection {
 public:
  // Starts the channel on `fd` (not owned); a client's ClientHello goes out here.
  BotanConnection(std::shared_ptr<EndpointContext> endpoint, int fd);

  bool handshake() override;
  bool write_all(std::span<const std::byte> data) override;
  std::ptrdiff_t read(std::span<std::byte> buf) override;
  void close() override;
  void describe(HandshakeOutcome& outcome) const override;

 private:
  enum class Pump { progress, closed, failed };
  // Waits up to timeout_ms for bytes and hands them to the channel.
  Pump pump();
  // Records an exception from the channel: its text, and the alert Botan answered it with.
  void fail(const std::exception& error);

  std::shared_ptr<EndpointContext> endpoint_;
  const EndpointConfig& config_;  // endpoint_->config
  int fd_;
  std::shared_ptr<ConnectionCallbacks> callbacks_;
  std::unique_ptr<Botan::TLS::Channel> channel_;
  std::optional<Alert> alert_sent_;
  std::string error_;
};

}  // namespace tlsmatrix::botan_adapter
