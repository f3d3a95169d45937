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
  std::size_t offset = 0;
  for (const auto& plan : plans) {
    plan.read(std::span(results).subspan(offset, plan.pairs.size()), caps);
    offset += plan.pairs.size();
  }
}

}  // namespace tlsmatrix
