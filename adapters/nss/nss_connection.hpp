// One TLS endpoint driven by NSS: what every connection of the endpoint shares, made once in
// configure(), and one SSL socket per connection over a duplicate of the connected descriptor.
#pragma once

#include <prio.h>
#include <ssl.h>
#include <sslt.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "nss_credentials.hpp"
#include "nss_settings.hpp"
#include "nss_transport.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix::nss_adapter {

struct EndpointContext {
  // Imports the credentials and PSK and applies every setting to a socket that is never
  // connected, so that NSS refuses what it cannot do here. Throws ConfigRejected.
  explicit EndpointContext(const EndpointConfig& config);

  EndpointConfig config;
  Credentials credentials;
  SymKeyPtr psk;
  // Client: the newest resumption token (NSS's serialised session with its ticket) the previous
  // connection received, offered once by the next one.
  std::vector<std::uint8_t> resumption_token;
};

class NssConnection final : public TlsConnection {
 public:
  // Wraps a duplicate of `fd` (NSPR closes what it imports; the driver keeps `fd`) in an SSL
  // socket set up from `endpoint`.
  NssConnection(std::shared_ptr<EndpointContext> endpoint, int fd);
  ~NssConnection() override;
  NssConnection(const NssConnection&) = delete;
  NssConnection& operator=(const NssConnection&) = delete;

  bool handshake() override;
  bool write_all(std::span<const std::byte> data) override;
  std::ptrdiff_t read(std::span<std::byte> buf) override;
  void close() override;
  void describe(HandshakeOutcome& outcome) const override;

 private:
  static SECStatus on_auth_certificate(void* arg, PRFileDesc* fd, PRBool check_sig,
                                       PRBool is_server);
  static SECStatus on_client_auth_data(void* arg, PRFileDesc* fd, CERTDistNames* ca_names,
                                       CERTCertificate** cert, SECKEYPrivateKey** key);
  static void on_alert_received(const PRFileDesc* fd, void* arg, const SSLAlert* alert);
  static void on_alert_sent(const PRFileDesc* fd, void* arg, const SSLAlert* alert);
  static void on_secret(PRFileDesc* fd, PRUint16 epoch, SSLSecretDirection direction,
                        PK11SymKey* secret, void* arg);
  static SECStatus on_resumption_token(PRFileDesc* fd, const PRUint8* token, unsigned int len,
                                       void* arg);

  void install_callbacks();
  // Records the library's error text for a failed step.
  void fail(PRErrorCode error);
  // Keeps what describe() reports while the socket is still open.
  void capture_channel();

  std::shared_ptr<EndpointContext> endpoint_;
  const EndpointConfig& config_;  // endpoint_->config
  PRFileDesc* fd_ = nullptr;
  bool handshake_done_ = false;
  std::optional<SSLChannelInfo> channel_;
  std::optional<PeerCertificate> peer_certificate_;
  std::optional<Alert> alert_sent_;
  std::optional<Alert> alert_received_;
  std::string error_;
  int tokens_received_ = 0;
  std::vector<std::string> keylog_;
  // Read by the socket's transport layer, so it outlives fd_ (closed in close() or the
  // destructor's body).
  RecordPrefixes prefixes_;
};

}  // namespace tlsmatrix::nss_adapter
