// Runs one matrix cell: a server peer and a client peer, the recording relay between them,
// and a hard deadline. It reports what happened; it does not judge it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "outcome.hpp"
#include "peer_catalog.hpp"

namespace tlsmatrix {

struct PeerRun {
  bool started = false;  // a client starts only once its server listens
  std::optional<HandshakeOutcome> outcome;
  std::string exit;        // how the process ended
  std::string stderr_log;  // what it logged, capped
};

struct CellRun {
  PeerRun client;
  PeerRun server;
  std::vector<std::uint8_t> client_to_server;
  std::vector<std::uint8_t> server_to_client;
  // Empty when the harness ran the cell to the end; otherwise why it could not (a peer that
  // crashed, hung, printed garbage or could not be started).
  std::string harness_error;
  double wall_ms = 0;
};

struct CellRequest {
  const PeerEntry* client = nullptr;
  const PeerEntry* server = nullptr;
  EndpointConfig client_config;
  EndpointConfig server_config;
  std::chrono::milliseconds deadline{20000};
};

CellRun execute_cell(const CellRequest& request, const std::atomic<bool>& cancelled);

}  // namespace tlsmatrix
