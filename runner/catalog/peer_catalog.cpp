#include "peer_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "child_process.hpp"
#include "protocol_json.hpp"
#include "protocol_version.hpp"

namespace tlsmatrix {

using nlohmann::json;

std::vector<PeerEntry> load_catalog(const std::filesystem::path& file) {
  const auto where = file.string();
  std::ifstream in(file);
  if (!in) throw CatalogError(fmt::format("{}: cannot open peer catalog", where));
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw CatalogError(fmt::format("{}: not valid JSON: {}", where, e.what()));
  }
  if (doc.value("schema", "") != "tlsmatrix-peer-catalog" || doc.value("schema_version", 0) != 1)
    throw CatalogError(
        fmt::format("{}: expected schema tlsmatrix-peer-catalog, schema_version 1", where));
  if (!doc.contains("peers") || !doc["peers"].is_array())
    throw CatalogError(fmt::format("{}: 'peers' must be a list", where));
  static const std::regex id_pattern("[A-Za-z0-9][A-Za-z0-9._@+-]*");
  std::vector<PeerEntry> entries;
  std::size_t index = 0;
  for (const auto& p : doc["peers"]) {
    const auto at = fmt::format("{}: peers[{}]", where, index++);
    try {
      PeerEntry e;
      e.id = p.at("id").get<std::string>();
      e.stack = p.at("stack").get<std::string>();
      e.environment = p.value("environment", "custom");
      e.command = p.at("command").get<std::vector<std::string>>();
      e.catalog = where;
      if (!std::regex_match(e.id, id_pattern))
        throw CatalogError(fmt::format("id '{}' has characters outside [A-Za-z0-9._@+-]", e.id));
      if (e.command.empty()) throw CatalogError("command is empty");
      entries.push_back(std::move(e));
    } catch (const json::exception& ex) {
      throw CatalogError(fmt::format("{}: {}", at, ex.what()));
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

Peer probe_one(const PeerEntry& entry, std::chrono::milliseconds timeout) {
  auto command = entry.command;
  command.push_back("--capabilities");
  const auto run = run_child(command, "", timeout);
  const auto failure = [&](const std::string& why) {
    return CatalogError(
        fmt::format("peer {} ({}): {}{}", entry.id, fmt::join(command, " "), why,
                    run.stderr_text.empty() ? "" : "; its stderr: " + last_line(run.stderr_text)));
  };
  if (!run.start_error.empty()) throw failure(run.start_error);
  if (run.timed_out)
    throw failure(fmt::format("--capabilities did not answer within {} ms", timeout.count()));
  if (run.exit_code != 0)
    throw failure(fmt::format("--capabilities exited with {}", describe_exit(run)));
  json event;
  try {
    event = json::parse(run.stdout_text);
  } catch (const json::parse_error&) {
    throw failure(fmt::format("--capabilities printed something other than one JSON object: '{}'",
                              excerpt(run.stdout_text)));
  }
  if (!event.is_object()) throw failure("--capabilities did not print a capabilities event");
  if (const auto mismatch = protocol_mismatch(event); !mismatch.empty()) throw failure(mismatch);
  if (event.value("event", "") != "capabilities")
    throw failure("--capabilities did not print a capabilities event");
  try {
    return Peer{entry, capabilities_from_json(event)};
  } catch (const json::exception& e) {
    throw failure(fmt::format("capabilities event is incomplete: {}", e.what()));
  }
}

}  // namespace

std::vector<Peer> probe_peers(const std::vector<PeerEntry>& entries,
                              std::chrono::milliseconds timeout) {
  std::set<std::string> ids;
  for (const auto& e : entries)
    if (!ids.insert(e.id).second)
      throw CatalogError(fmt::format("peer id '{}' appears twice (second in {})", e.id, e.catalog));
  std::vector<std::future<Peer>> probes;
  for (const auto& e : entries)
    probes.push_back(std::async(std::launch::async, probe_one, e, timeout));
  std::vector<Peer> peers;
  for (auto& p : probes) peers.push_back(p.get());  // rethrows the first failure, naming the peer
  return peers;
}

}  // namespace tlsmatrix
