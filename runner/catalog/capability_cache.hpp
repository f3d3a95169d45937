// Remembered `--capabilities` answers. A probe runs hundreds of handshakes (seconds of CPU per
// peer, every run), yet its answer changes only with the peer executable or the TLS library
// it loads. So each answer is kept in a JSON file of its own, named by a key over what starts
// the peer and the executable's bytes; a hit also needs the library file the answer names to
// hash as it did when the answer was stored. Format and bypass: results/README.md.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "peer_catalog.hpp"

namespace tlsmatrix {

// Lowercase hex SHA-256 of a file's bytes; nullopt when it is not a regular file that can be
// read to its end.
std::optional<std::string> file_sha256(const std::filesystem::path& file);

// Where `path` (absolute) is on the host for a process chrooted to `root`: symbolic links are
// followed within root, an absolute target starting again at root and ".." never leaving it,
// as the chrooted process would see them. `root` empty: the host, `path` as it is. nullopt for
// a relative path or a link loop.
std::optional<std::filesystem::path> path_inside_root(const std::string& root,
                                                      const std::string& path);

// Where one entry's answer is kept, found before the peer is asked, used again to store.
struct CacheSlot {
  std::filesystem::path file;     // DIR/KEY.json
  std::string key;                // hex SHA-256 of protocol, command, root, executable hash
  std::string executable_sha256;  // of command[0], inside root
};

enum class CacheStore { stored, not_cacheable, write_failed };

class CapabilityCache {
 public:
  explicit CapabilityCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& dir() const { return dir_; }

  // nullopt when `entry` cannot be cached: its command[0] is not an absolute path to a
  // regular, readable file (inside its root), e.g. a name looked up in PATH.
  std::optional<CacheSlot> slot_for(const PeerEntry& entry) const;

  // The capabilities event stored in `slot`, when the library file it names still hashes as
  // it did. Anything else is a miss, never an error: no file, unreadable, corrupt, written for
  // another key or by another cache format.
  std::optional<nlohmann::json> find(const CacheSlot& slot, const PeerEntry& entry) const;

  // Keeps a successful probe's event, replacing the file atomically (a temporary file renamed
  // over it), so a reader sees the old answer or the new one. An event naming no library file,
  // or one that cannot be read, is not cacheable: nothing could tell when it goes stale.
  CacheStore store(const CacheSlot& slot, const PeerEntry& entry,
                   const nlohmann::json& event) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace tlsmatrix
