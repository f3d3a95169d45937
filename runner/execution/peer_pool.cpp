#include "peer_pool.hpp"

#include <chrono>

namespace tlsmatrix {

namespace {
// How long idle serving peers get to exit by themselves once their stdin is closed.
constexpr std::chrono::milliseconds kExitGrace{500};
}  // namespace

PeerPool::~PeerPool() {
  for (auto& [id, processes] : idle_)
    for (auto& process : processes) process->close_stdin();
  const auto until = std::chrono::steady_clock::now() + kExitGrace;
  for (auto& [id, processes] : idle_)
    for (auto& process : processes) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      process->wait_ended(std::max(left, std::chrono::milliseconds(0)));
    }
  idle_.clear();  // kills and reaps what is left
}

std::unique_ptr<PeerProcess> PeerPool::take(const PeerEntry& entry) {
  auto& processes = idle_[entry.id];
  while (!processes.empty()) {
    auto process = std::move(processes.back());
    processes.pop_back();
    if (!process->ended()) return process;  // one that died while idle is not used
  }
  auto command = entry.command;
  command.push_back("--serve");
  auto process = std::make_unique<PeerProcess>(command, entry.root);
  ++started_;
  return process;
}

void PeerPool::give_back(const PeerEntry& entry, std::unique_ptr<PeerProcess> process) {
  idle_[entry.id].push_back(std::move(process));
}

}  // namespace tlsmatrix
