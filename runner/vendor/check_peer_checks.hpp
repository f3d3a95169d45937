// The one table of check-peer's checks: a row per check, with what it sends the peer, the
// PROTOCOL.md section it enforces and what that section requires, and the function that runs
// it. Adding a check is adding a row (check_peer_checks.cpp).
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "capabilities.hpp"
#include "check_peer.hpp"
#include "endpoint_config.hpp"

namespace tlsmatrix {

// What the checks share: the options, and what earlier checks learnt.
struct CheckContext {
  CheckContext(const CheckPeerOptions& options_in, const std::atomic<bool>& cancelled_in)
      : options(options_in), cancelled(cancelled_in) {}
  const CheckPeerOptions& options;
  const std::atomic<bool>& cancelled;
  // A loopback port that refuses connections (bound, never listening) for as long as the checks
  // run: a client request that a peer should not act on connects there and fails at once.
  std::uint16_t refusing_port = 0;
  // The peer's capabilities, once the `capabilities` check read them; `capabilities_problem`
  // says why not otherwise.
  std::optional<Capabilities> capabilities;
  std::string capabilities_problem = "the capabilities check has not run";

  // A client configuration that connects to `refusing_port` and gives up quickly.
  EndpointConfig quick_client() const;
};

// What a check found. For a failure `text` says what came back (the row's `sends` and
// `required` complete the message); for a pass or a skip it is the whole message.
struct CheckFinding {
  CheckStatus status = CheckStatus::pass;
  std::string text;
  std::string sent;  // overrides the row's `sends` when the check chose what to send
};

struct PeerCheck {
  std::string_view id;
  std::string_view sends;     // "a request whose \"protocol\" is 5"
  std::string_view section;   // the PROTOCOL.md section: "Command line"
  std::string_view required;  // what it says: "an `error` event naming both versions, exit 2"
  CheckFinding (*run)(CheckContext& context);
};

std::span<const PeerCheck> peer_checks();

}  // namespace tlsmatrix
