// The relay's man in the middle for one connection: reassembles each direction's plaintext
// records into handshake messages (across records and TCP reads), applies a scenario's
// mutations to the hellos, fixes every length up and frames the result into records again.
// Everything it does not change it passes on byte for byte, and once a direction is encrypted
// it passes that direction on untouched.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mutation.hpp"

namespace tlsmatrix {

// Bytes to write to one peer, in order; each entry is one TCP write.
struct RelayWrite {
  bool to_server = true;
  std::vector<std::uint8_t> bytes;
};

// What one mutation did on one connection.
struct MutationRecord {
  const Mutation* mutation = nullptr;
  int applied = 0;                    // messages it changed
  std::vector<std::string> did;       // what it did, once per distinct detail
  std::optional<std::string> absent;  // why a message it targets gave it nothing to change
};

class HandshakeInterceptor {
 public:
  explicit HandshakeInterceptor(const std::vector<Mutation>& attack);

  // Bytes read from one peer; what to write to either peer now.
  std::vector<RelayWrite> on_read(bool from_client, std::span<const std::uint8_t> bytes);
  // The peer ended its direction: whatever is held back goes on as it came.
  std::vector<RelayWrite> on_end(bool from_client);

  const std::vector<MutationRecord>& records() const { return records_; }

 private:
  struct Direction {
    std::vector<std::uint8_t> buffer;     // read, not yet a whole record
    std::vector<std::uint8_t> handshake;  // plaintext handshake bytes, not yet a whole message
    std::uint16_t record_version = 0x0303;
    bool passthrough = false;
  };

  void on_record(bool from_client, std::span<const std::uint8_t> record,
                 std::vector<RelayWrite>& out);
  void on_handshake_record(bool from_client, std::span<const std::uint8_t> record,
                           std::vector<RelayWrite>& out);
  // nullopt: the message goes on unchanged.
  std::optional<MessageDelivery> intercept(bool from_client, std::span<const std::uint8_t> message);
  void deliver(bool from_client, const MessageDelivery& delivery, std::uint16_t record_version,
               std::vector<RelayWrite>& out);
  void release_held_handshake(bool from_client, std::vector<RelayWrite>& out);
  void note_server_hello(const wire::HelloMessage& hello);

  std::vector<MutationRecord> records_;
  Direction client_to_server_, server_to_client_;
  std::optional<std::uint16_t> version_;  // negotiated, from the ServerHello the client got
};

}  // namespace tlsmatrix
