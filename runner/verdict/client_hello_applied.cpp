#include "client_hello_applied.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "observation_queries.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix {
namespace {

// RFC 8701 §2 reserves {0x0A,0x0A}, {0x1A,0x1A}, ... {0xFA,0xFA} for cipher suites, groups and
// more; a client may add them at random, so they are no part of what it was configured with.
bool is_grease(std::uint16_t code) {
  return (code & 0x0F0F) == 0x0A0A && (code >> 8) == (code & 0xFF);
}

// Signalling values in cipher_suites, not suites: TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746
// §3.3) and TLS_FALLBACK_SCSV (RFC 7507 §2).
bool is_signalling_suite(std::uint16_t code) {
  return code == 0x00FF || code == 0x5600 || is_grease(code);
}

template <typename Namer, typename Skip>
std::vector<std::string> names(const std::vector<std::uint16_t>& codes, Namer name, Skip skip) {
  std::vector<std::string> out;
  for (const auto c : codes)
    if (!skip(c)) out.push_back(name(c));
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> list) {
  std::sort(list.begin(), list.end());
  return list;
}

}  // namespace

std::vector<std::string> client_hello_contradictions(const WireObservation& wire,
                                                     const ClientHelloExpectation& expected) {
  std::vector<std::string> out;
  if (wire.client_hellos.empty()) return out;
  const auto& hello = wire.client_hellos.front();
  const auto& config = expected.config;
  const auto& id = expected.peer_id;
  const auto group = [](std::uint16_t c) { return group_name(c); };

  if (!config.groups.empty()) {
    const auto sent = names(hello.supported_groups, group, is_grease);
    const bool agree = expected.honours_group_order ? sent == config.groups
                                                    : sorted(sent) == sorted(config.groups);
    if (!agree)
      out.push_back(fmt::format(
          "client peer {} was configured with groups [{}] but its ClientHello offered [{}]{}", id,
          fmt::join(config.groups, ", "), fmt::join(sent, ", "),
          expected.honours_group_order ? " (it reports group_order, so the order counts)" : ""));
  }
  if (config.key_shares) {
    std::vector<std::uint16_t> codes;
    for (const auto& ks : hello.key_shares) codes.push_back(ks.group);
    // Compared as sets: RFC 8446 §4.2.8 fixes their order to that of supported_groups.
    const auto sent = names(codes, group, is_grease);
    if (sorted(sent) != sorted(*config.key_shares))
      out.push_back(
          fmt::format("client peer {} was configured with key shares [{}] but its first "
                      "ClientHello carried [{}]",
                      id, fmt::join(*config.key_shares, ", "), fmt::join(sent, ", ")));
  }
  if (!config.cipher_suites.empty()) {
    const auto sent = names(
        hello.cipher_suites, [](std::uint16_t c) { return cipher_suite_name(c); },
        is_signalling_suite);
    if (sent != config.cipher_suites)
      out.push_back(
          fmt::format("client peer {} was configured with cipher suites [{}] but its first "
                      "ClientHello offered [{}]",
                      id, fmt::join(config.cipher_suites, ", "), fmt::join(sent, ", ")));
  }
  // psk_key_exchange_modes (RFC 8446 §4.2.9) as a set: a client that offers a PSK offers exactly
  // the configured modes. Without a PSK on the wire a client may leave the extension out.
  if (config.psk_modes && hello.pre_shared_key) {
    const auto sent = offered_psk_mode_names(hello);
    if (sorted(sent) != sorted(*config.psk_modes))
      out.push_back(fmt::format(
          "client peer {} was configured with PSK modes [{}] but its first ClientHello offered "
          "[{}]",
          id, fmt::join(*config.psk_modes, ", "), fmt::join(sent, ", ")));
  }
  return out;
}

}  // namespace tlsmatrix
