// Runs one matrix cell: a server peer and a client peer, the recording relay between them,
// and a hard deadline. It reports what happened; it does not judge it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "outcome.hpp"
#include "peer_catalog.hpp"
#include "peer_pool.hpp"
#include "recording_relay.hpp"

namespace tlsmatrix {

struct PeerRun {
  bool started = false;  // a client starts only once its server listens
  // One result per connection the peer reported on, in order (peers/PROTOCOL.md,
  // "Connections"); the first also stands for a configuration that failed or was refused.
  std::vector<HandshakeOutcome> outcomes;
  std::string exit;        // how the process ended
  std::string stderr_log;  // what it logged, capped
};

// One connection of a cell, as the verdict sees it: each side's result for it (null when
// that side never reported on it) and the bytes the relay passed (empty when the relay never
// saw it). A view into the CellRun it came from (up to 4 MiB per direction are not copied):
// it must not outlive that CellRun, nor a change to its outcomes or relayed bytes.
struct ConnectionRun {
  const HandshakeOutcome* client = nullptr;
  const HandshakeOutcome* server = nullptr;
  std::span<const std::uint8_t> client_to_server;
  std::span<const std::uint8_t> server_to_client;
};

struct CellRun {
  PeerRun client;
  PeerRun server;
  // Empty when the harness ran the cell to the end; otherwise why it could not (a peer that
  // crashed, hung, printed garbage or could not be started).
  std::string harness_error;
  double wall_ms = 0;

  // Connection `index` (from 0) pieced together from both peers' results and the relay.
  ConnectionRun connection(std::size_t index) const;
  // How many connections anybody reported on or relayed; at least 1.
  std::size_t connection_count() const;

  std::vector<RelayedBytes> relayed;  // per connection, as the relay accepted them
};

struct CellRequest {
  const PeerEntry* client = nullptr;
  const PeerEntry* server = nullptr;
  EndpointConfig client_config;
  EndpointConfig server_config;
  // The relay attacks each connection with these (a scenario's `relay:`); null or empty: it
  // only records.
  const std::vector<Mutation>* attack = nullptr;
  std::chrono::milliseconds deadline{20000};
  // Where serving peers (peers/PROTOCOL.md, "Serving many requests") come from and go back
  // to; a side whose `*_serves` is false, or all with no pool, gets a process of its own.
  PeerPool* pool = nullptr;
  bool client_serves = false;
  bool server_serves = false;
};

// How long a serving peer has to answer `served` to a `cancel` before it is killed.
inline constexpr std::chrono::milliseconds kCancelGrace{1000};

CellRun execute_cell(const CellRequest& request, const std::atomic<bool>& cancelled);

}  // namespace tlsmatrix
