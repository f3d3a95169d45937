// What a peer's linked library can do, probed at run time by handshakes through the adapter
// (never inferred from a version number). Printed by `PEER --capabilities`; the JSON form is
// peers/PROTOCOL.md, "capabilities". Protocol 2 separates what a stack implements from what a
// configuration can restrict it to, so the runner calls a cell `unsupported` only when the
// scenario's configuration truly cannot be produced.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "endpoint_config.hpp"
#include "features.hpp"

namespace tlsmatrix {

// What a configuration can do with one named item (a version, a group, a cipher suite) in
// one role.
struct ItemControl {
  // Listing it in the setting makes it offered (client) or acceptable (server).
  bool require = false;
  // Leaving it out of a non-empty setting keeps it off the client's ClientHello, or keeps the
  // server from choosing it.
  bool exclude = false;
  bool operator==(const ItemControl&) const = default;
};

// An absent role does not implement the item at all.
struct ItemSupport {
  std::optional<ItemControl> client;
  std::optional<ItemControl> server;
  const std::optional<ItemControl>& in(Role role) const {
    return role == Role::client ? client : server;
  }
  bool operator==(const ItemSupport&) const = default;
};

// IANA name -> support; only implemented items appear.
using ItemTable = std::map<std::string, ItemSupport>;

struct PskSupport {
  // Sets of modes ("psk_ke", "psk_dhe_ke"; each set sorted by name) a client can offer
  // exactly, and a server can be restricted to accepting.
  std::vector<std::vector<std::string>> client_mode_sets;
  std::vector<std::vector<std::string>> server_mode_sets;
  std::vector<std::string> hashes;  // "SHA256", "SHA384": hashes a PSK can be bound to
  bool operator==(const PskSupport&) const = default;
};

struct Capabilities {
  std::string stack;         // adapter name: "openssl", "wolfssl", "gnutls"
  std::string library;       // the library's own name for itself
  std::string version;       // exact release, e.g. "3.0.22"
  std::string version_text;  // the full banner the library prints
  // The file the library was loaded from, as the peer's own process sees it (inside its root
  // or container), e.g. "/lib/x86_64-linux-gnu/libcrypto.so.3"; empty when the peer cannot tell.
  std::string library_file;
  ItemTable versions;       // "TLSv1.2", "TLSv1.3"
  ItemTable groups;         // tls_registry names
  ItemTable cipher_suites;  // IANA names
  // The groups that carry a key share in the first ClientHello when neither `groups` nor
  // `key_shares` is configured (a set, sorted by name).
  std::vector<std::string> default_key_shares;
  PskSupport psk;
  std::set<Feature> features;
  // The peer implements `PEER --serve`, many requests in one process (peers/PROTOCOL.md,
  // "Serving many requests"; protocol 6). Absent in the JSON means false.
  bool serve = false;

  bool has(Feature feature) const { return features.count(feature) > 0; }
};

// The names of `table`'s items that `role` implements, in the table's order.
std::vector<std::string> implemented_items(const ItemTable& table, Role role);

}  // namespace tlsmatrix
