#include "key_share_fallback.hpp"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "memory_handshake.hpp"
#include "observation_queries.hpp"
#include "probe_configs.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix {
namespace {

// Enough for a ClientHello in memory; the rest of that handshake does not matter.
constexpr std::uint32_t kFirstFlightTimeoutMs = 2000;

// Configuring alone tells: no socket, no handshake.
bool adapter_refuses_key_shares(StackAdapter& adapter, const EndpointConfig& config) {
  try {
    (void)adapter.configure(config);
  } catch (const ConfigRejected& e) {
    return e.setting() == "key_shares";
  } catch (const std::exception&) {
    // Anything else is for the real session to report.
  }
  return false;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

EndpointConfig settle_key_shares(StackAdapter& adapter, const EndpointConfig& config) {
  if (config.role != Role::client || !config.key_shares ||
      !adapter_refuses_key_shares(adapter, config))
    return config;

  EndpointConfig own_choice = config;
  own_choice.key_shares.reset();
  auto pair = probe::ecdsa_pair();
  auto client = own_choice;
  client.verify_server = false;
  client.timeout_ms = pair.server.timeout_ms = kFirstFlightTimeoutMs;
  pair.server.psks = config.psks;
  pair.server.psk_modes = config.psk_modes;
  const auto hs = handshake_in_memory(adapter, client, pair.server);
  if (hs.wire.client_hellos.empty()) return config;

  std::vector<std::string> sent;
  for (const auto group : first_key_share_groups(hs.wire)) sent.push_back(group_name(group));
  if (sorted(sent) != sorted(*config.key_shares)) return config;
  std::cerr << "key_shares: the library cannot set them, but its own first ClientHello for these "
               "groups carries exactly this set; running with its choice\n";
  return own_choice;
}

}  // namespace tlsmatrix
