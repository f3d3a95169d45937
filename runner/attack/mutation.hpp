// The active attacker's vocabulary: typed mutations of the plaintext hello messages, defined once
// in mutation_table.cpp, named by suites in a scenario's `relay:` block (suites/README.md) and
// applied by the relay (handshake_interceptor.hpp). In the spirit of BoringSSL's ProtocolBugs,
// but applied from outside to unmodified stacks.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hello_message.hpp"

namespace tlsmatrix {

// Which message a mutation rewrites: every ClientHello the client sends, or every ServerHello
// (not HelloRetryRequest) the server sends.
enum class MutationTarget { client_hello, server_hello };

// A parameter a mutation takes; each has one parser (mutation_table.cpp).
enum class MutationParam { group, versions, version, psk_modes, cipher_suite, alert, record_size };

struct MutationParams {
  std::optional<std::uint16_t> group;
  std::vector<std::uint16_t> versions;
  std::optional<std::uint16_t> version;
  std::vector<std::uint8_t> psk_modes;
  std::optional<std::uint16_t> cipher_suite;
  std::optional<std::uint8_t> alert;
  std::size_t record_size = 0;
};

// How the relay passes on one intercepted handshake message.
struct MessageDelivery {
  std::vector<std::uint8_t> message;  // the whole message; empty when the attacker dropped it
  // A handshake message sent back to the sender in the receiver's stead (a forged answer).
  std::vector<std::uint8_t> reply_to_sender;
  std::vector<std::uint8_t> records_before;  // whole records sent ahead of the message
  std::size_t record_size = 0;               // fragment size; 0 = up to 2^14 bytes (§5.1)
  bool byte_writes = false;                  // one TCP write per byte
};

// What a mutation made of one message.
struct MutationOutcome {
  enum Kind { applied, absent, not_this_message } kind = not_this_message;
  std::string detail;  // applied: what it did; absent: what the message lacks
};

struct MutationDefinition;

struct Mutation {
  const MutationDefinition* definition = nullptr;
  MutationParams params;
  std::map<std::string, std::vector<std::string>>
      written;  // the parameters as the suite wrote them
  int line = 0;
};

// `times_applied` counts messages of this connection the mutation changed so far.
using ApplyMutation = MutationOutcome (*)(const MutationParams& params, wire::HelloMessage& hello,
                                          MessageDelivery& delivery, int times_applied);

struct MutationDefinition {
  const char* name;
  MutationTarget target;
  std::vector<MutationParam> params;  // all required
  const char* description;
  ApplyMutation apply;
};

std::span<const MutationDefinition> mutation_table();
const char* mutation_param_name(MutationParam param);

// Builds a mutation from a suite's `relay:` entry: its name and each parameter's value(s).
// Throws std::invalid_argument naming the unknown mutation, the missing, unknown or malformed
// parameter and the values allowed.
Mutation parse_mutation(const std::string& name,
                        const std::map<std::string, std::vector<std::string>>& params);

// "remove_group(group: X25519MLKEM768)"
std::string mutation_text(const Mutation& mutation);
nlohmann::json to_json(const Mutation& mutation);

}  // namespace tlsmatrix
