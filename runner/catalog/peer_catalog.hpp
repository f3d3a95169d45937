// The peer catalog: which peer executables exist and how to start each. The build writes
// one for the peers it made (build/peers.catalog.json); users add their own catalog files
// for other builds, vendor binaries or container commands. Format: results/README.md.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capabilities.hpp"
#include "child_process.hpp"

namespace tlsmatrix {

// A TLS server already running at an address, which the runner does not start and which
// speaks no peer protocol (tlsmatrix certify --server): cells reach it through the relay and
// are judged from the client and the wire alone.
struct RunningServer {
  std::string host;  // an IP address literal
  std::uint16_t port = 0;
  // What the vendor declared it supports (a capabilities event of peers/PROTOCOL.md); without
  // one, nothing is ruled out beforehand and every cell is tried.
  bool capabilities_declared = false;
  // The chain it serves (a scenario asking for another certificate cannot run against it).
  std::string certificate_chain_pem;
  std::string address() const;  // "HOST:PORT", "[HOST]:PORT" for IPv6
};

struct PeerEntry {
  std::string id;                    // unique, e.g. "openssl@host"
  std::string stack;                 // adapter name
  std::string environment;           // where it was built, e.g. "host"
  std::vector<std::string> command;  // inside `root` when there is one
  std::string catalog;               // the file it came from
  std::string root{};  // folder the jail chroots to (schema_version 2); empty: the host
  // Set for a running server: `command` is empty and nothing is started or probed.
  std::optional<RunningServer> running_server{};
};

struct Peer {
  PeerEntry entry;
  Capabilities capabilities;
};

class CatalogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::vector<PeerEntry> load_catalog(const std::filesystem::path& file);

// The per-environment catalogs ci/provision wrote under `environments_dir`
// (.cache/environments/<env>/peers.catalog.json), sorted; empty when none was provisioned.
std::vector<std::filesystem::path> environment_catalogs(
    const std::filesystem::path& environments_dir);

// Asks every peer for --capabilities, all at once. A peer that is missing, hangs, crashes or
// answers with anything but one capabilities event is an error naming it and why; so is
// `cancelled` becoming true (noticed within ~100 ms, every probe killed).
std::vector<Peer> probe_peers(const std::vector<PeerEntry>& entries,
                              std::chrono::milliseconds timeout,
                              const std::atomic<bool>& cancelled = kNeverCancelled);

class CapabilityCache;  // capability_cache.hpp

struct ProbedPeers {
  std::vector<Peer> peers;
  std::size_t from_cache = 0;  // answers the cache held
  std::size_t not_kept = 0;    // fresh answers it could have kept but could not write
};

// As above, but a peer whose answer `cache` holds is not asked, and every other answer that
// can be cached is stored in it. `cache` null: every peer is asked.
ProbedPeers probe_peers(const std::vector<PeerEntry>& entries, std::chrono::milliseconds timeout,
                        const CapabilityCache* cache,
                        const std::atomic<bool>& cancelled = kNeverCancelled);

}  // namespace tlsmatrix
