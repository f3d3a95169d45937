// The serving peer processes one worker keeps between its cells (peers/PROTOCOL.md, "Serving
// many requests"): a process that served its request cleanly goes back here and takes the
// worker's next request for that peer; anything else is killed by the cell. One pool per
// worker thread, used by that thread alone: a process dies with the thread that started it
// (PR_SET_PDEATHSIG), so it must never serve another thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "peer_catalog.hpp"
#include "peer_process.hpp"

namespace tlsmatrix {

class PeerPool {
 public:
  PeerPool() = default;
  PeerPool(const PeerPool&) = delete;
  PeerPool& operator=(const PeerPool&) = delete;
  // Closes every idle process's stdin (a serving peer then exits 0), waits briefly, kills
  // whatever is left and reaps them all.
  ~PeerPool();

  // An idle serving process of `entry`, or a new one started as its command plus `--serve`.
  // Throws std::runtime_error when it cannot be started.
  std::unique_ptr<PeerProcess> take(const PeerEntry& entry);
  // A process whose request ended with `served` and nothing out of place, for the next cell.
  void give_back(const PeerEntry& entry, std::unique_ptr<PeerProcess> process);

  std::size_t processes_started() const { return started_; }

 private:
  std::map<std::string, std::vector<std::unique_ptr<PeerProcess>>> idle_;
  std::size_t started_ = 0;
};

}  // namespace tlsmatrix
