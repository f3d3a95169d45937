#include "handshake_plan.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace tlsmatrix {
namespace {

// Each handshake has its client, server and pump threads, mostly waiting on each other, so a
// few more handshakes than cores keep the cores busy without thrashing.
unsigned worker_count() {
  return std::max(4u, 2 * std::thread::hardware_concurrency());
}

// A handshake that ran out of time says nothing about the stack: at the start of a run every
// peer probes at once, and on a loaded machine a large FFDHE group's key generation alone can
// outlast the probe's timeout. A failed handshake that lasted its whole timeout, whichever
// clock ended it (the socket's, or the library's own handshake timeout, which GnuTLS reports
// as a push error), therefore runs again, alone, with this much time.
constexpr std::uint32_t kRetryTimeoutMs = 10000;

bool ran_out_of_time(const MemoryHandshake& hs, const ConfigPair& pair) {
  if (hs.completed()) return false;
  const double limit = std::min(pair.client.timeout_ms, pair.server.timeout_ms);
  return hs.client.timed_out || hs.server.timed_out ||
         std::max(hs.client.handshake_ms, hs.server.handshake_ms) >= limit;
}

MemoryHandshake retry_alone(StackAdapter& adapter, const ConfigPair& pair) {
  auto client = pair.client;
  auto server = pair.server;
  client.timeout_ms = server.timeout_ms = kRetryTimeoutMs;
  return handshake_in_memory(adapter, client, server);
}

}  // namespace

void run_plans(StackAdapter& adapter, std::span<const HandshakePlan> plans, Capabilities& caps) {
  std::vector<const ConfigPair*> pairs;
  for (const auto& plan : plans)
    for (const auto& pair : plan.pairs) pairs.push_back(&pair);
  std::vector<MemoryHandshake> results(pairs.size());
  std::atomic<std::size_t> next{0};
  {
    std::vector<std::jthread> workers;
    for (unsigned i = 0; i < worker_count(); ++i)
      workers.emplace_back([&] {
        for (auto k = next++; k < pairs.size(); k = next++)
          results[k] = handshake_in_memory(adapter, pairs[k]->client, pairs[k]->server);
      });
  }
  for (std::size_t k = 0; k < pairs.size(); ++k)
    if (ran_out_of_time(results[k], *pairs[k])) results[k] = retry_alone(adapter, *pairs[k]);
  std::size_t offset = 0;
  for (const auto& plan : plans) {
    plan.read(std::span(results).subspan(offset, plan.pairs.size()), caps);
    offset += plan.pairs.size();
  }
}

}  // namespace tlsmatrix
