#include "capability_cache.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <ctime>
#include <fstream>
#include <memory>
#include <string_view>
#include <vector>

#include "hex_text.hpp"
#include "protocol_json.hpp"

namespace tlsmatrix {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kCacheSchema = "tlsmatrix-capability-cache";
constexpr int kCacheSchemaVersion = 1;
// Linux's own limit on links followed while resolving one path (ELOOP).
constexpr int kMaxSymlinks = 40;

class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("SHA-256 is not available from libcrypto");
  }
  void update(const void* data, std::size_t size) {
    if (EVP_DigestUpdate(context_.get(), data, size) != 1)
      throw std::runtime_error("SHA-256 update failed");
  }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(context_.get(), digest.data(), &size) != 1)
      throw std::runtime_error("SHA-256 final failed");
    return hex_of(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

std::string text_sha256(std::string_view text) {
  Sha256 hash;
  hash.update(text.data(), text.size());
  return hash.hex();
}

std::string utc_now() {
  const auto now = std::time(nullptr);
  std::tm parts{};
  ::gmtime_r(&now, &parts);
  std::array<char, 32> text{};
  return std::string(text.data(),
                     std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts));
}

// The capabilities' library file on the host and its hash; nullopt when the event names none or
// the file cannot be read.
struct LibraryFile {
  fs::path host_path;
  std::string sha256;
};
std::optional<LibraryFile> library_file_of(const json& event, const PeerEntry& entry) {
  const auto named = event.find("library_file");
  if (named == event.end() || !named->is_string()) return std::nullopt;
  const auto host_path = path_inside_root(entry.root, named->get<std::string>());
  if (!host_path) return std::nullopt;
  auto sha256 = file_sha256(*host_path);
  if (!sha256) return std::nullopt;
  return LibraryFile{*host_path, std::move(*sha256)};
}

}  // namespace

std::optional<std::string> file_sha256(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  Sha256 hash;
  std::vector<char> buffer(1 << 16);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
    hash.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return std::nullopt;
  return hash.hex();
}

std::optional<fs::path> path_inside_root(const std::string& root, const std::string& path) {
  const fs::path wanted(path);
  if (!wanted.is_absolute()) return std::nullopt;
  if (root.empty()) return wanted;
  // Components still to walk, the next one last.
  std::vector<std::string> pending;
  const auto walk_next = [&](const fs::path& p) {
    const auto at = pending.size();
    for (const auto& part : p.relative_path()) pending.push_back(part.string());
    std::reverse(pending.begin() + static_cast<std::ptrdiff_t>(at), pending.end());
  };
  walk_next(wanted);
  fs::path inside = "/";  // resolved so far, as the chrooted process sees it; never a link
  int links = 0;
  while (!pending.empty()) {
    const auto part = std::move(pending.back());
    pending.pop_back();
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      inside = inside.parent_path();  // "/" stays "/"
      continue;
    }
    const auto next = inside / part;
    const auto on_host = fs::path(root) / next.relative_path();
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(on_host, ec))) {
      inside = next;
      continue;
    }
    const auto target = fs::read_symlink(on_host, ec);
    if (ec || ++links > kMaxSymlinks) return std::nullopt;
    if (target.is_absolute()) inside = "/";
    walk_next(target);
  }
  return fs::path(root) / inside.relative_path();
}

std::optional<CacheSlot> CapabilityCache::slot_for(const PeerEntry& entry) const {
  if (entry.command.empty()) return std::nullopt;
  const auto executable = path_inside_root(entry.root, entry.command[0]);
  if (!executable) return std::nullopt;
  auto executable_sha256 = file_sha256(*executable);
  if (!executable_sha256) return std::nullopt;
  // A JSON array keeps the words apart: ["a b"] and ["a", "b"] give different keys.
  const auto key = text_sha256(
      json::array({kPeerProtocolVersion, entry.command, entry.root, *executable_sha256}).dump());
  return CacheSlot{dir_ / (key + ".json"), key, std::move(*executable_sha256)};
}

std::optional<json> CapabilityCache::find(const CacheSlot& slot, const PeerEntry& entry) const {
  try {
    std::ifstream in(slot.file);
    if (!in) return std::nullopt;
    const auto stored = json::parse(in);
    if (!stored.is_object() || stored.value("schema", "") != kCacheSchema ||
        stored.value("schema_version", 0) != kCacheSchemaVersion ||
        stored.value("key", "") != slot.key ||
        stored.value("executable_sha256", "") != slot.executable_sha256)
      return std::nullopt;
    const auto event = stored.find("capabilities");
    if (event == stored.end() || !event->is_object()) return std::nullopt;
    const auto library = library_file_of(*event, entry);
    if (!library || stored.value("library_sha256", "") != library->sha256) return std::nullopt;
    return *event;
  } catch (const std::exception&) {  // not JSON, or a field of another type
    return std::nullopt;
  }
}

CacheStore CapabilityCache::store(const CacheSlot& slot, const PeerEntry& entry,
                                  const json& event) const {
  const auto library = library_file_of(event, entry);
  if (!library) return CacheStore::not_cacheable;
  // Unique per process and call: runs sharing the folder never write one temporary file.
  static std::atomic<unsigned> counter{0};
  const auto temporary =
      dir_ / fmt::format(".{}.{}.{}.tmp", slot.key, ::getpid(), counter.fetch_add(1));
  try {
    const json stored = {{"schema", kCacheSchema},
                         {"schema_version", kCacheSchemaVersion},
                         {"key", slot.key},
                         {"peer_protocol", kPeerProtocolVersion},
                         {"command", entry.command},
                         {"root", entry.root},
                         {"executable_sha256", slot.executable_sha256},
                         {"library_file", library->host_path.string()},
                         {"library_sha256", library->sha256},
                         {"written", utc_now()},
                         {"capabilities", event}};
    std::error_code ec;
    fs::create_directories(dir_, ec);
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << stored.dump(2) << '\n';
      out.close();
      if (!out) throw std::runtime_error("write failed");
    }
    fs::rename(temporary, slot.file);
    return CacheStore::stored;
  } catch (const std::exception&) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return CacheStore::write_failed;
  }
}

}  // namespace tlsmatrix
