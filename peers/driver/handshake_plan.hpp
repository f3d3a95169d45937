// The capability probe's unit of work: a list of client/server configurations to run in memory
// and a reader that turns their results into capabilities. Plans are batched so that every
// handshake of a probe phase runs in parallel, whichever part of the probe asked for it.
#pragma once

#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "capabilities.hpp"
#include "memory_handshake.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {

struct ConfigPair {
  EndpointConfig client;
  EndpointConfig server;
};

struct HandshakePlan {
  std::vector<ConfigPair> pairs;
  // Called with one result per pair, in the same order.
  std::function<void(std::span<const MemoryHandshake>, Capabilities&)> read;
};

// Runs every pair of every plan, a few at a time, then calls each plan's reader in order.
void run_plans(StackAdapter& adapter, std::span<const HandshakePlan> plans, Capabilities& caps);

}  // namespace tlsmatrix
