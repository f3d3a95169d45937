// How peer processes are started: through tlsmatrix-peer-jail (runner/jail/peer_jail.cpp),
// in a PID namespace of their own, as the peer user, with no capabilities. Set once at start.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tlsmatrix {

struct PeerJail {
  std::filesystem::path program;     // empty: peers run directly (tests of the runner alone)
  std::optional<unsigned> uid, gid;  // unset: the runner's own user (the runner is not root)
  std::string user;                  // who the peers run as, for the run information
};

// The jail next to `program_dir`, and the peer user: `user_name` when given, otherwise (as
// root) tlsmatrix-peer if it exists, else nobody; not root: the runner's own user. Throws
// std::runtime_error naming what is missing.
PeerJail make_peer_jail(const std::filesystem::path& program_dir, const std::string& user_name);

void use_peer_jail(PeerJail jail);
const PeerJail& peer_jail();

// The argv that runs `command` (inside `root` when not empty) through the jail in use.
std::vector<std::string> jailed_command(const std::vector<std::string>& command,
                                        const std::string& root);

}  // namespace tlsmatrix
