// The JSON form of a WireObservation, as it goes into cell results.
#include <optional>

#include "tls_registry.hpp"
#include "tls_transcript.hpp"
#include "wire_names.hpp"

namespace tlsmatrix {
namespace {

using nlohmann::json;

template <typename Code>
json coded(Code code, std::string (*namer)(Code)) {
  return {{"code", code}, {"name", namer(code)}};
}

template <typename Code>
json coded(const std::optional<Code>& code, std::string (*namer)(Code)) {
  return code ? coded(*code, namer) : json(nullptr);
}

template <typename Code>
json coded_list(const std::vector<Code>& codes, std::string (*namer)(Code)) {
  json out = json::array();
  for (const Code code : codes) out.push_back(coded(code, namer));
  return out;
}

template <typename T>
json optional_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json direction_json(const DirectionObservation& direction) {
  json alerts = json::array();
  for (const auto& alert : direction.plaintext_alerts) {
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
      {"handshake_messages", coded_list(direction.handshake_messages, &wire::handshake_type_name)}};
}

json client_hello_json(const ClientHelloObservation& hello) {
  json key_shares = json::array();
  for (const auto& share : hello.key_shares) {
    key_shares.push_back({{"group", coded(share.group, &group_name)},
                          {"key_exchange_length", share.key_exchange_length}});
  }
  return {{"message_length", hello.message_length},
          {"legacy_version", coded(hello.legacy_version, &version_name)},
          {"supported_versions", coded_list(hello.supported_versions, &version_name)},
          {"cipher_suites", coded_list(hello.cipher_suites, &cipher_suite_name)},
          {"supported_groups", coded_list(hello.supported_groups, &group_name)},
          {"key_shares", std::move(key_shares)},
          {"psk_key_exchange_modes",
           coded_list(hello.psk_key_exchange_modes, &wire::psk_key_exchange_mode_name)},
          {"pre_shared_key", hello.pre_shared_key},
          {"psk_identities", hello.psk_identities},
          {"early_data", hello.early_data},
          {"server_name", optional_value(hello.server_name)},
          {"extensions", coded_list(hello.extensions, &wire::extension_name)}};
}

json server_hello_json(const ServerHelloObservation& hello) {
  return {{"message_length", hello.message_length},
          {"hello_retry_request", hello.hello_retry_request},
          {"legacy_version", coded(hello.legacy_version, &version_name)},
          {"supported_version", coded(hello.supported_version, &version_name)},
          {"version", coded(hello.version, &version_name)},
          {"cipher_suite", coded(hello.cipher_suite, &cipher_suite_name)},
          {"key_share_group", coded(hello.key_share_group, &group_name)},
          {"key_share_length", optional_value(hello.key_share_length)},
          {"psk_selected_identity", optional_value(hello.psk_selected_identity)},
          {"extensions", coded_list(hello.extensions, &wire::extension_name)}};
}

}  // namespace

json to_json(const WireObservation& observation) {
  json client_hellos = json::array();
  for (const auto& hello : observation.client_hellos)
    client_hellos.push_back(client_hello_json(hello));
  json server_hellos = json::array();
  for (const auto& hello : observation.server_hellos)
    server_hellos.push_back(server_hello_json(hello));
  return {{"hello_retry_request", observation.hello_retry_request},
          {"version", coded(observation.version, &version_name)},
          {"cipher_suite", coded(observation.cipher_suite, &cipher_suite_name)},
          {"group", coded(observation.group, &group_name)},
          {"psk_accepted", observation.psk_accepted},
          {"server_key_exchange_group", coded(observation.server_key_exchange_group, &group_name)},
          {"client_to_server", direction_json(observation.client_to_server)},
          {"server_to_client", direction_json(observation.server_to_client)},
          {"client_hellos", std::move(client_hellos)},
          {"server_hellos", std::move(server_hellos)},
          {"notes", observation.notes}};
}

}  // namespace tlsmatrix
