// The JSON form of a WireObservation, as it goes into cell results.
#include <fmt/format.h>

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "observation_queries.hpp"
#include "tls_registry.hpp"
#include "tls_transcript.hpp"
#include "wire_names.hpp"

namespace tlsmatrix {
namespace {

using nlohmann::json;

// Lists in a cell's JSON stop here; a handshake has a few dozen of each. A misbehaving peer
// (4 MiB of empty handshake messages) would otherwise put millions of entries into one cell.
constexpr std::size_t kMaxListed = 256;

// What each list left out, as `wire.truncated` says it.
using Truncated = std::vector<std::string>;

template <typename Item>
std::span<const Item> listed(const std::vector<Item>& items, const std::string& what,
                             Truncated& truncated) {
  if (items.size() <= kMaxListed) return items;
  truncated.push_back(what + ": the first " + std::to_string(kMaxListed) + " of " +
                      std::to_string(items.size()) + " are listed");
  return std::span<const Item>(items).first(kMaxListed);
}

template <typename Item>
std::vector<Item> as_vector(std::span<const Item> items) {
  return {items.begin(), items.end()};
}

template <typename Code>
json coded(Code code, std::string (*namer)(Code)) {
  return {{"code", code}, {"name", namer(code)}};
}

template <typename Code>
json coded(const std::optional<Code>& code, std::string (*namer)(Code)) {
  return code ? coded(*code, namer) : json(nullptr);
}

template <typename Code>
json coded_list(const std::vector<Code>& codes, std::string (*namer)(Code), const std::string& what,
                Truncated& truncated) {
  json out = json::array();
  for (const Code code : listed(codes, what, truncated)) out.push_back(coded(code, namer));
  return out;
}

template <typename T>
json optional_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json direction_json(const DirectionObservation& direction, const std::string& name,
                    Truncated& truncated) {
  json alerts = json::array();
  for (const auto& alert :
       listed(direction.plaintext_alerts, name + ".plaintext_alerts", truncated)) {
    alerts.push_back({{"level", coded(alert.level, &wire::alert_level_name)},
                      {"code", alert.description},
                      {"name", alert.name},
                      {"record_offset", alert.record_offset}});
  }
  return {
      {"total_bytes", direction.total_bytes},
      {"record_count", direction.record_count},
      {"encryption_started", direction.encryption_started},
      {"encrypted_record_count", direction.encrypted_record_count},
      {"plaintext_alerts", std::move(alerts)},
      {"handshake_message_count", direction.handshake_messages.size()},
      {"handshake_messages", coded_list(direction.handshake_messages, &wire::handshake_type_name,
                                        name + ".handshake_messages", truncated)}};
}

json client_hello_json(const ClientHelloObservation& hello, const std::string& name,
                       Truncated& truncated) {
  json key_shares = json::array();
  for (const auto& share : listed(hello.key_shares, name + ".key_shares", truncated)) {
    key_shares.push_back({{"group", coded(share.group, &group_name)},
                          {"key_exchange_length", share.key_exchange_length}});
  }
  return {{"message_length", hello.message_length},
          {"legacy_version", coded(hello.legacy_version, &version_name)},
          {"supported_versions", coded_list(hello.supported_versions, &version_name,
                                            name + ".supported_versions", truncated)},
          {"cipher_suites",
           coded_list(hello.cipher_suites, &cipher_suite_name, name + ".cipher_suites", truncated)},
          {"supported_groups",
           coded_list(hello.supported_groups, &group_name, name + ".supported_groups", truncated)},
          {"key_shares", std::move(key_shares)},
          {"psk_key_exchange_modes",
           coded_list(hello.psk_key_exchange_modes, &wire::psk_key_exchange_mode_name,
                      name + ".psk_key_exchange_modes", truncated)},
          {"pre_shared_key", hello.pre_shared_key},
          {"psk_identities",
           as_vector(listed(hello.psk_identities, name + ".psk_identities", truncated))},
          {"early_data", hello.early_data},
          {"server_name", optional_value(hello.server_name)},
          {"extensions",
           coded_list(hello.extensions, &wire::extension_name, name + ".extensions", truncated)}};
}

json server_hello_json(const ServerHelloObservation& hello, const std::string& name,
                       Truncated& truncated) {
  return {{"message_length", hello.message_length},
          {"hello_retry_request", hello.hello_retry_request},
          {"legacy_version", coded(hello.legacy_version, &version_name)},
          {"supported_version", coded(hello.supported_version, &version_name)},
          {"version", coded(hello.version, &version_name)},
          {"cipher_suite", coded(hello.cipher_suite, &cipher_suite_name)},
          {"key_share_group", coded(hello.key_share_group, &group_name)},
          {"key_share_length", optional_value(hello.key_share_length)},
          {"psk_selected_identity", optional_value(hello.psk_selected_identity)},
          {"downgrade_sentinel",
           hello.hello_retry_request ? json(nullptr) : json(*downgrade_sentinel_name(hello))},
          {"extensions",
           coded_list(hello.extensions, &wire::extension_name, name + ".extensions", truncated)}};
}

}  // namespace

json to_json(const WireObservation& observation) {
  Truncated truncated;
  const auto directions = [&] {
    return std::pair(direction_json(observation.client_to_server, "client_to_server", truncated),
                     direction_json(observation.server_to_client, "server_to_client", truncated));
  }();
  json client_hellos = json::array();
  for (const auto& hello : listed(observation.client_hellos, "client_hellos", truncated))
    client_hellos.push_back(client_hello_json(
        hello, fmt::format("client_hellos[{}]", client_hellos.size()), truncated));
  json server_hellos = json::array();
  for (const auto& hello : listed(observation.server_hellos, "server_hellos", truncated))
    server_hellos.push_back(server_hello_json(
        hello, fmt::format("server_hellos[{}]", server_hellos.size()), truncated));
  const auto notes = listed(observation.notes, "notes", truncated);
  return {{"hello_retry_request", observation.hello_retry_request},
          {"version", coded(observation.version, &version_name)},
          {"cipher_suite", coded(observation.cipher_suite, &cipher_suite_name)},
          {"group", coded(observation.group, &group_name)},
          {"psk_accepted", observation.psk_accepted},
          {"server_key_exchange_group", coded(observation.server_key_exchange_group, &group_name)},
          {"client_to_server", directions.first},
          {"server_to_client", directions.second},
          {"client_hellos", std::move(client_hellos)},
          {"server_hellos", std::move(server_hellos)},
          {"notes", as_vector(notes)},
          {"truncated", std::move(truncated)}};
}

}  // namespace tlsmatrix
