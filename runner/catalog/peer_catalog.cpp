#include "peer_catalog.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "capability_cache.hpp"
#include "child_process.hpp"
#include "protocol_json.hpp"
#include "protocol_version.hpp"

namespace tlsmatrix {

using nlohmann::json;

namespace {

std::string shown(const json& value) {
  return excerpt(value.dump(), 60);
}

std::string string_field(const json& peer, const char* key) {
  const auto it = peer.find(key);
  if (it == peer.end()) throw CatalogError(fmt::format("'{}' is missing", key));
  if (!it->is_string())
    throw CatalogError(fmt::format("'{}' must be a string, got {}", key, shown(*it)));
  return it->get<std::string>();
}

// Schema version 1 catalogs of provisioned environments start their commands with
// "chroot ROOT"; the jail does that chroot itself (the peer user could not), so the prefix
// becomes the entry's root.
void adopt_chroot_prefix(PeerEntry& e) {
  if (e.command.size() >= 3 && e.command[0] == "chroot" && e.command[1].starts_with('/')) {
    e.root = e.command[1];
    e.command.erase(e.command.begin(), e.command.begin() + 2);
  }
}

PeerEntry entry_from_json(const json& p, int schema_version, const std::string& where) {
  if (!p.is_object()) throw CatalogError(fmt::format("must be an object, got {}", shown(p)));
  static const std::regex id_pattern("[A-Za-z0-9][A-Za-z0-9._@+-]*");
  PeerEntry e;
  e.id = string_field(p, "id");
  e.stack = string_field(p, "stack");
  e.environment = p.contains("environment") ? string_field(p, "environment") : "custom";
  const auto command = p.find("command");
  if (command == p.end()) throw CatalogError("'command' is missing");
  if (!command->is_array() ||
      std::any_of(command->begin(), command->end(), [](const json& a) { return !a.is_string(); }))
    throw CatalogError(fmt::format("'command' must be a list of strings, got {}", shown(*command)));
  e.command = command->get<std::vector<std::string>>();
  if (p.contains("root")) {
    if (schema_version < 2) throw CatalogError("'root' needs schema_version 2");
    e.root = string_field(p, "root");
    if (!e.root.starts_with('/'))
      throw CatalogError(fmt::format("'root' must be an absolute path, got '{}'", e.root));
  }
  e.catalog = where;
  if (!std::regex_match(e.id, id_pattern))
    throw CatalogError(fmt::format("id '{}' has characters outside [A-Za-z0-9._@+-]", e.id));
  if (e.command.empty()) throw CatalogError("command is empty");
  if (schema_version == 1) adopt_chroot_prefix(e);
  return e;
}

}  // namespace

std::vector<PeerEntry> load_catalog(const std::filesystem::path& file) {
  const auto where = file.string();
  std::ifstream in(file);
  if (!in) throw CatalogError(fmt::format("{}: cannot open peer catalog", where));
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw CatalogError(fmt::format("{}: not valid JSON: {}", where, e.what()));
  }
  const auto schema = doc.is_object() ? doc.find("schema") : doc.end();
  const auto version = doc.is_object() ? doc.find("schema_version") : doc.end();
  if (schema == doc.end() || *schema != "tlsmatrix-peer-catalog" || version == doc.end() ||
      !version->is_number_integer() || *version < 1 || *version > 2)
    throw CatalogError(
        fmt::format("{}: expected schema tlsmatrix-peer-catalog, schema_version 1 or 2, got {} {}",
                    where, schema == doc.end() ? "no schema" : shown(*schema),
                    version == doc.end() ? "no schema_version" : shown(*version)));
  const int schema_version = version->get<int>();
  if (!doc.contains("peers") || !doc["peers"].is_array())
    throw CatalogError(fmt::format("{}: 'peers' must be a list", where));
  std::vector<PeerEntry> entries;
  std::size_t index = 0;
  for (const auto& p : doc["peers"]) {
    const auto at = fmt::format("{}: peers[{}]", where, index++);
    try {
      entries.push_back(entry_from_json(p, schema_version, where));
    } catch (const CatalogError& ex) {
      throw CatalogError(fmt::format("{}: {}", at, ex.what()));
    }
  }
  return entries;
}

std::vector<std::filesystem::path> environment_catalogs(
    const std::filesystem::path& environments_dir) {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(environments_dir, ec))
    if (std::filesystem::exists(entry.path() / "peers.catalog.json"))
      found.push_back(entry.path() / "peers.catalog.json");
  std::sort(found.begin(), found.end());
  return found;
}

namespace {

// The capabilities in a peer's answer; throws std::invalid_argument saying what is wrong.
Capabilities capabilities_in_event(const json& event) {
  if (!event.is_object())
    throw std::invalid_argument("--capabilities did not print a capabilities event");
  if (const auto mismatch = protocol_mismatch(event); !mismatch.empty())
    throw std::invalid_argument(mismatch);
  if (const auto kind = event.find("event"); kind == event.end() || *kind != "capabilities")
    throw std::invalid_argument("--capabilities did not print a capabilities event");
  try {
    return capabilities_from_json(event);
  } catch (const std::exception& e) {
    throw std::invalid_argument(fmt::format("capabilities event: {}", e.what()));
  }
}

struct ProbeAnswer {
  Peer peer;
  json event;  // as the peer printed it, for the cache
};

ProbeAnswer probe_one(const PeerEntry& entry, std::chrono::milliseconds timeout,
                      const std::atomic<bool>& cancelled) {
  auto command = entry.command;
  command.push_back("--capabilities");
  const auto run = run_child(command, "", timeout, cancelled, entry.root);
  const auto failure = [&](const std::string& why) {
    return CatalogError(fmt::format(
        "peer {} ({}{}): {}{}", entry.id, entry.root.empty() ? "" : "in " + entry.root + ": ",
        fmt::join(command, " "), why,
        run.stderr_text.empty() ? "" : "; its stderr: " + last_line(run.stderr_text)));
  };
  if (!run.start_error.empty()) throw failure(run.start_error);
  if (run.cancelled) throw failure("interrupted while answering --capabilities");
  if (!run.too_much.empty()) throw failure("--capabilities " + run.too_much);
  if (run.timed_out)
    throw failure(fmt::format("--capabilities did not answer within {} ms", timeout.count()));
  if (run.pipes_held) throw failure("--capabilities left its output open after it was killed");
  if (run.exit_code != 0)
    throw failure(fmt::format("--capabilities exited with {}", describe_exit(run)));
  json event;
  try {
    event = json::parse(run.stdout_text);
  } catch (const json::exception&) {
    throw failure(fmt::format("--capabilities printed something other than one JSON object: '{}'",
                              excerpt(run.stdout_text)));
  }
  try {
    auto capabilities = capabilities_in_event(event);
    return ProbeAnswer{Peer{entry, std::move(capabilities)}, std::move(event)};
  } catch (const std::invalid_argument& e) {
    throw failure(e.what());
  }
}

struct PeerSource {
  Peer peer;
  bool from_cache = false;
  bool not_kept = false;
};

// The cache's answer when it holds a valid one; otherwise the peer's, stored for next time.
PeerSource recall_or_probe(const PeerEntry& entry, std::chrono::milliseconds timeout,
                           const CapabilityCache* cache, const std::atomic<bool>& cancelled) {
  const auto slot = cache ? cache->slot_for(entry) : std::nullopt;
  if (slot) {
    if (const auto event = cache->find(*slot, entry)) {
      try {
        return PeerSource{Peer{entry, capabilities_in_event(*event)}, true, false};
      } catch (const std::invalid_argument&) {
        // Stored by a runner that read events differently: ask the peer, overwrite it.
      }
    }
  }
  auto answer = probe_one(entry, timeout, cancelled);
  const bool not_kept =
      slot && cache->store(*slot, entry, answer.event) == CacheStore::write_failed;
  return PeerSource{std::move(answer.peer), false, not_kept};
}

}  // namespace

std::string RunningServer::address() const {
  return host.find(':') == std::string::npos ? fmt::format("{}:{}", host, port)
                                             : fmt::format("[{}]:{}", host, port);
}

std::vector<Peer> probe_peers(const std::vector<PeerEntry>& entries,
                              std::chrono::milliseconds timeout,
                              const std::atomic<bool>& cancelled) {
  return probe_peers(entries, timeout, nullptr, cancelled).peers;
}

ProbedPeers probe_peers(const std::vector<PeerEntry>& entries, std::chrono::milliseconds timeout,
                        const CapabilityCache* cache, const std::atomic<bool>& cancelled) {
  std::set<std::string> ids;
  for (const auto& e : entries)
    if (!ids.insert(e.id).second)
      throw CatalogError(fmt::format("peer id '{}' appears twice (second in {})", e.id, e.catalog));
  // Cache look-ups hash executables and libraries, so they run in parallel with the probes.
  std::vector<std::future<PeerSource>> sources;
  for (const auto& e : entries)
    sources.push_back(
        std::async(std::launch::async, recall_or_probe, e, timeout, cache, std::cref(cancelled)));
  ProbedPeers out;
  for (auto& s : sources) {
    auto source = s.get();  // rethrows the first failure, naming the peer
    out.peers.push_back(std::move(source.peer));
    out.from_cache += source.from_cache ? 1 : 0;
    out.not_kept += source.not_kept ? 1 : 0;
  }
  return out;
}

}  // namespace tlsmatrix
