// The capability cache (issue 12): a remembered --capabilities answer is used only while the
// peer executable and its library file hash as they did; anything odd in the cache folder is a
// miss, never an error. Fake executables and libraries are plain files; the last tests run a
// fake peer (a shell script printing a fixed capabilities event) through the jail.
#include "capability_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "peer_jail.hpp"
#include "protocol_json.hpp"

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Fake peers run through the jail, as under `tlsmatrix peers`.
const bool kJailed = [] {
  use_peer_jail(make_peer_jail(TLSMATRIX_BINARY_DIR, ""));
  return true;
}();

// A folder under /tmp that the jail's peer user can read too, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tlsmatrix-cache-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    ::chmod(path_.c_str(), 0755);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

std::string read_file(const fs::path& file) {
  std::ostringstream text;
  text << std::ifstream(file, std::ios::binary).rdbuf();
  return text.str();
}

// A capabilities event as a peer prints it, naming `library_file` (inside the peer's root).
json capabilities_event(const std::string& library_file) {
  Capabilities caps;
  caps.stack = "fake";
  caps.library = "FakeTLS";
  caps.version = "1.2.3";
  caps.library_file = library_file;
  const ItemControl full{true, true};
  caps.versions = {{"TLSv1.3", {full, full}}};
  caps.groups = {{"x25519", {full, full}}, {"secp256r1", {full, std::nullopt}}};
  caps.features = {Feature::key_share_selection};
  auto event = to_json(caps);
  event["event"] = "capabilities";
  event["protocol"] = kPeerProtocolVersion;
  return event;
}

// A host peer: a fake executable and a fake library file in a temporary folder.
struct FakePeer {
  TempDir dir;
  fs::path executable = dir.path() / "bin/tlsmatrix-peer-fake";
  fs::path library = dir.path() / "lib/libfaketls.so.1";
  PeerEntry entry{"fake@host", "fake", "host", {executable.string(), "--quiet"}, "test"};
  json event = capabilities_event(library.string());
  FakePeer() {
    write_file(executable, "executable, build 1");
    write_file(library, "library, release 1");
  }
};

TEST(CapabilityCache, MissThenHitGivesTheStoredEvent) {
  FakePeer peer;
  const TempDir cache_dir;
  const CapabilityCache cache(cache_dir.path() / "capabilities");
  const auto slot = cache.slot_for(peer.entry);
  ASSERT_TRUE(slot);
  EXPECT_EQ(slot->file.parent_path(), cache.dir());
  EXPECT_FALSE(cache.find(*slot, peer.entry));
  EXPECT_EQ(cache.store(*slot, peer.entry, peer.event), CacheStore::stored);
  const auto again = cache.slot_for(peer.entry);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->file, slot->file);
  const auto found = cache.find(*again, peer.entry);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, peer.event);
  // The file says what it was keyed on, for whoever opens it.
  const auto stored = json::parse(read_file(slot->file));
  EXPECT_EQ(stored["library_file"], peer.library.string());
  EXPECT_EQ(stored["library_sha256"], *file_sha256(peer.library));
  EXPECT_EQ(stored["executable_sha256"], *file_sha256(peer.executable));
  EXPECT_TRUE(stored["written"].is_string());
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(cache.dir()), fs::directory_iterator()), 1);
}

TEST(CapabilityCache, EveryWordOfTheCommandAndTheRootAreInTheKey) {
  FakePeer peer;
  const CapabilityCache cache("/nonexistent");
  const auto slot = cache.slot_for(peer.entry);
  ASSERT_TRUE(slot);
  auto other = peer.entry;
  other.command = {peer.executable.string(), "--quiet", "--other"};
  EXPECT_NE(cache.slot_for(other)->key, slot->key);
  // Root "/" holds the same file under the same path, but is another key.
  other = peer.entry;
  other.root = "/";
  EXPECT_NE(cache.slot_for(other)->key, slot->key);
}

// A fake peer whose answer a fresh cache already holds.
class StoredAnswer : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto found = cache_.slot_for(peer_.entry);
    ASSERT_TRUE(found);
    slot_ = *found;
    ASSERT_EQ(cache_.store(slot_, peer_.entry, peer_.event), CacheStore::stored);
    ASSERT_EQ(cache_.find(slot_, peer_.entry), peer_.event);
  }
  // The current executable's slot, then what it holds for the peer.
  std::optional<json> look_up() const {
    const auto slot = cache_.slot_for(peer_.entry);
    return slot ? cache_.find(*slot, peer_.entry) : std::nullopt;
  }

  FakePeer peer_;
  TempDir cache_dir_;
  CapabilityCache cache_{cache_dir_.path()};
  CacheSlot slot_;
};

TEST_F(StoredAnswer, ChangedExecutableIsAMiss) {
  write_file(peer_.executable, "executable, build 2");
  EXPECT_NE(cache_.slot_for(peer_.entry)->key, slot_.key);
  EXPECT_FALSE(look_up());
}

TEST_F(StoredAnswer, ChangedLibraryFileIsAMiss) {
  write_file(peer_.library, "library, release 2");
  EXPECT_FALSE(look_up());
  fs::remove(peer_.library);
  EXPECT_FALSE(look_up());
}

TEST_F(StoredAnswer, CorruptFileIsAMissAndIsOverwritten) {
  const auto good = read_file(slot_.file);
  auto wrong_key = json::parse(good);
  wrong_key["key"] = 7;
  auto wrong_event = json::parse(good);
  wrong_event["capabilities"] = "none";
  auto other_schema = json::parse(good);
  other_schema["schema_version"] = 99;
  for (const auto& text :
       {std::string(), std::string("\xff\xfe not json"), good.substr(0, good.size() / 2),
        std::string("[1, 2]"), wrong_key.dump(), wrong_event.dump(), other_schema.dump()}) {
    write_file(slot_.file, text);
    EXPECT_FALSE(look_up()) << text;
    EXPECT_EQ(cache_.store(slot_, peer_.entry, peer_.event), CacheStore::stored);
    EXPECT_EQ(look_up(), peer_.event);
  }
  // A folder where the file should be: unreadable as a file, and not replaceable by one.
  fs::remove(slot_.file);
  fs::create_directory(slot_.file);
  EXPECT_FALSE(look_up());
  EXPECT_EQ(cache_.store(slot_, peer_.entry, peer_.event), CacheStore::write_failed);
}

TEST(CapabilityCache, CacheFolderThatCannotBeWrittenIsNoError) {
  FakePeer peer;
  const TempDir cache_dir;
  write_file(cache_dir.path() / "a-file", "");
  const CapabilityCache cache(cache_dir.path() / "a-file" / "capabilities");
  const auto slot = cache.slot_for(peer.entry);
  ASSERT_TRUE(slot);
  EXPECT_FALSE(cache.find(*slot, peer.entry));
  EXPECT_EQ(cache.store(*slot, peer.entry, peer.event), CacheStore::write_failed);
}

TEST(CapabilityCache, CommandThatIsNotAnAbsolutePathToAFileIsNotCached) {
  FakePeer peer;
  const CapabilityCache cache("/nonexistent");
  for (const auto& first : {std::string("bash"), std::string("bin/tlsmatrix-peer-fake"),
                            (peer.dir.path() / "missing").string(), peer.dir.path().string()}) {
    auto entry = peer.entry;
    entry.command[0] = first;
    EXPECT_FALSE(cache.slot_for(entry)) << first;
  }
}

TEST(CapabilityCache, AnswerWithoutALibraryFileIsNotStored) {
  FakePeer peer;
  const TempDir cache_dir;
  const CapabilityCache cache(cache_dir.path());
  const auto slot = cache.slot_for(peer.entry);
  // No library file named (a static library, or a peer that cannot tell): nothing would show
  // an upgrade. One named that the runner cannot read (in a container): likewise.
  for (const auto& library : {std::string(), (peer.dir.path() / "missing.so").string()}) {
    EXPECT_EQ(cache.store(*slot, peer.entry, capabilities_event(library)),
              CacheStore::not_cacheable)
        << library;
    EXPECT_FALSE(fs::exists(slot->file));
  }
}

TEST(CapabilityCache, PathsResolveInsideTheRoot) {
  const TempDir root;
  write_file(root.path() / "usr/lib/libfaketls.so.1.0", "library");
  fs::create_directory_symlink("usr/lib", root.path() / "lib");
  // Absolute targets mean the root's files, not the host's.
  fs::create_symlink("/usr/lib/libfaketls.so.1.0", root.path() / "usr/lib/libfaketls.so.1");
  const auto expected = root.path() / "usr/lib/libfaketls.so.1.0";
  EXPECT_EQ(path_inside_root(root.path().string(), "/lib/libfaketls.so.1"), expected);
  EXPECT_EQ(path_inside_root(root.path().string(), "/../../lib/./libfaketls.so.1"), expected);
  fs::create_symlink("/etc/../../loop", root.path() / "loop");
  EXPECT_FALSE(path_inside_root(root.path().string(), "/loop"));
  EXPECT_FALSE(path_inside_root(root.path().string(), "lib/libfaketls.so.1"));
  EXPECT_EQ(path_inside_root("", "/lib/libfaketls.so.1"), fs::path("/lib/libfaketls.so.1"));
}

TEST(CapabilityCache, PeerInARootIsKeyedOnTheRootsFiles) {
  const TempDir root;
  write_file(root.path() / "opt/peer", "executable in the root");
  write_file(root.path() / "usr/lib/libfaketls.so.1", "library in the root");
  const PeerEntry entry{"fake@env", "fake", "env", {"/opt/peer"}, "test", root.path().string()};
  const auto event = capabilities_event("/usr/lib/libfaketls.so.1");
  const TempDir cache_dir;
  const CapabilityCache cache(cache_dir.path());
  const auto slot = cache.slot_for(entry);
  ASSERT_TRUE(slot);
  EXPECT_EQ(slot->executable_sha256, *file_sha256(root.path() / "opt/peer"));
  ASSERT_EQ(cache.store(*slot, entry, event), CacheStore::stored);
  EXPECT_EQ(cache.find(*slot, entry), event);
  write_file(root.path() / "usr/lib/libfaketls.so.1", "library in the root, upgraded");
  EXPECT_FALSE(cache.find(*slot, entry));
}

// --- Through probe_peers and the command line, with a fake peer that answers --capabilities.

// A shell script peer: /bin/sh is command[0], so the script's path is a word of the key.
struct ScriptPeer {
  TempDir dir;
  fs::path script = dir.path() / "peer.sh";
  fs::path library = dir.path() / "libfaketls.so.1";
  PeerEntry entry{"script@host", "fake", "host", {"/bin/sh", script.string()}, "test"};
  ScriptPeer() {
    write_file(library, "library");
    write_file(script, "echo '" + capabilities_event(library.string()).dump() + "'\n");
  }
};

TEST(PeerProbeCache, HitGivesTheCapabilitiesOfAFreshProbe) {
  const ScriptPeer peer;
  const TempDir cache_dir;
  const CapabilityCache cache(cache_dir.path());
  const auto fresh = probe_peers({peer.entry}, std::chrono::seconds(10));
  const auto first = probe_peers({peer.entry}, std::chrono::seconds(10), &cache);
  EXPECT_EQ(first.from_cache, 0u);
  EXPECT_EQ(first.not_kept, 0u);
  const auto second = probe_peers({peer.entry}, std::chrono::seconds(10), &cache);
  EXPECT_EQ(second.from_cache, 1u);
  ASSERT_EQ(second.peers.size(), 1u);
  EXPECT_EQ(second.peers[0].entry.id, peer.entry.id);
  EXPECT_EQ(to_json(second.peers[0].capabilities), to_json(fresh[0].capabilities));
  EXPECT_EQ(to_json(first.peers[0].capabilities), to_json(fresh[0].capabilities));
}

TEST(PeerProbeCache, CorruptCacheFileMeansAFreshProbe) {
  const ScriptPeer peer;
  const TempDir cache_dir;
  const CapabilityCache cache(cache_dir.path());
  probe_peers({peer.entry}, std::chrono::seconds(10), &cache);
  write_file(cache.slot_for(peer.entry)->file, "{\"schema\": ");
  EXPECT_EQ(probe_peers({peer.entry}, std::chrono::seconds(10), &cache).from_cache, 0u);
  EXPECT_EQ(probe_peers({peer.entry}, std::chrono::seconds(10), &cache).from_cache, 1u);
}

TEST(PeerProbeCache, SecondPeersCommandSaysItUsedTheCache) {
  const ScriptPeer peer;
  const auto catalog = peer.dir.path() / "catalog.json";
  write_file(
      catalog,
      json{{"schema", "tlsmatrix-peer-catalog"},
           {"schema_version", 1},
           {"peers", {{{"id", peer.entry.id}, {"stack", "fake"}, {"command", peer.entry.command}}}}}
          .dump());
  const auto stderr_of = [&](const std::string& options) {
    const auto err = peer.dir.path() / "stderr";
    const auto command = std::string(TLSMATRIX_BINARY_DIR) + "/tlsmatrix peers --only-catalogs " +
                         "--catalog " + catalog.string() + " " + options + " >/dev/null 2>" +
                         err.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command << ": " << read_file(err);
    return read_file(err);
  };
  const auto cache = (peer.dir.path() / "cache").string();
  const auto said = [&](std::size_t hits) {
    return "capabilities: " + std::to_string(hits) + " of 1 peers from cache " + cache +
           " (binary and library unchanged)\n";
  };
  EXPECT_EQ(stderr_of("--probe-cache " + cache), said(0));
  EXPECT_EQ(stderr_of("--probe-cache " + cache), said(1));
  EXPECT_EQ(stderr_of("--no-probe-cache"), "");
}

}  // namespace
}  // namespace tlsmatrix
