#include "observation_queries.hpp"

#include <algorithm>

#include "hello_extensions.hpp"
#include "tls_registry.hpp"
#include "wire_constants.hpp"
#include "wire_names.hpp"

namespace tlsmatrix {

std::vector<std::string> offered_psk_mode_names(const ClientHelloObservation& hello) {
  std::vector<std::string> names;
  for (const auto mode : hello.psk_key_exchange_modes)
    names.push_back(wire::psk_key_exchange_mode_name(mode));
  return names;
}

std::vector<std::uint16_t> first_key_share_groups(const WireObservation& observation) {
  std::vector<std::uint16_t> groups;
  if (!observation.client_hellos.empty())
    for (const auto& share : observation.client_hellos.front().key_shares)
      groups.push_back(share.group);
  return groups;
}

std::optional<std::string> accepted_psk_mode(const WireObservation& observation) {
  if (!observation.psk_accepted || observation.server_hellos.empty()) return std::nullopt;
  return observation.server_hellos.back().key_share_group ? "psk_dhe_ke" : "psk_ke";
}

namespace {

constexpr std::uint16_t kTls12 = 0x0303;

// PSK, DHE_PSK and RSA_PSK (RFC 4279 §2-4, with AES-GCM in RFC 5487) or ECDHE_PSK (RFC 5489):
// their IANA names are TLS_<key exchange>_WITH_<cipher>.
bool is_tls12_psk_suite(std::uint16_t code) {
  const auto suite = cipher_suite_by_code(code);
  if (!suite || suite->tls13) return false;
  const auto with = suite->name.find("_WITH_");
  if (!suite->name.starts_with("TLS_") || with == std::string_view::npos) return false;
  const auto key_exchange = suite->name.substr(4, with - 4);
  return key_exchange == "PSK" || key_exchange.ends_with("_PSK");
}

}  // namespace

std::optional<bool> psk_used(const WireObservation& observation) {
  if (observation.server_hellos.empty()) return std::nullopt;
  const bool tls12_psk = observation.version == kTls12 && observation.cipher_suite &&
                         is_tls12_psk_suite(*observation.cipher_suite);
  return observation.psk_accepted || tls12_psk;
}

std::optional<bool> cert_with_extern_psk_negotiated(const WireObservation& observation) {
  if (observation.server_hellos.empty()) return std::nullopt;
  const auto& extensions = observation.server_hellos.back().extensions;
  return observation.psk_accepted && std::find(extensions.begin(), extensions.end(),
                                               wire::kExtCertWithExternPsk) != extensions.end();
}

std::optional<std::string> downgrade_sentinel_name(const ServerHelloObservation& hello) {
  if (!hello.downgrade_sentinel) return "none";
  return *hello.downgrade_sentinel == 1 ? "tls1.2" : "tls1.1_or_below";
}

std::optional<std::string> downgrade_sentinel(const WireObservation& observation) {
  if (observation.server_hellos.empty()) return std::nullopt;
  return downgrade_sentinel_name(observation.server_hellos.back());
}

std::optional<bool> client_answered_server_hello(const WireObservation& observation) {
  if (observation.server_hellos.empty()) return std::nullopt;
  const auto& sent = observation.client_to_server;
  const auto client_hellos = static_cast<std::size_t>(std::count(
      sent.handshake_messages.begin(), sent.handshake_messages.end(), wire::kClientHello));
  return sent.handshake_messages.size() > client_hellos || sent.encrypted_record_count > 0;
}

}  // namespace tlsmatrix
