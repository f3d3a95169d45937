#include "peer_jail.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <stdexcept>

namespace tlsmatrix {

namespace {

// A function's static, so that it is set before any other file's static initializer uses it.
PeerJail& jail_in_use() {
  static PeerJail jail;
  return jail;
}

std::optional<passwd> find_user(const std::string& name) {
  passwd entry{}, *found = nullptr;
  static thread_local char buffer[4096];
  if (::getpwnam_r(name.c_str(), &entry, buffer, sizeof buffer, &found) != 0 || !found)
    return std::nullopt;
  return entry;
}

}  // namespace

PeerJail make_peer_jail(const std::filesystem::path& program_dir, const std::string& user_name) {
  PeerJail jail;
  jail.program = program_dir / "tlsmatrix-peer-jail";
  if (!std::filesystem::exists(jail.program))
    throw std::runtime_error(
        fmt::format("{}: missing (it is built with the tlsmatrix target)", jail.program.string()));
  if (::geteuid() != 0) {
    if (!user_name.empty())
      throw std::runtime_error(
          fmt::format("--peer-user {}: only a runner running as root can run peers as another "
                      "user; peers run as the runner's own user",
                      user_name));
    jail.user = fmt::format("uid {} (the runner's own user, not root)", ::geteuid());
    return jail;
  }
  const auto name = !user_name.empty()                        ? user_name
                    : find_user("tlsmatrix-peer").has_value() ? "tlsmatrix-peer"
                                                              : "nobody";
  const auto entry = find_user(name);
  if (!entry) {
    if (user_name.empty() && name == "nobody") {
      jail.uid = jail.gid = 65534;
      jail.user = "uid 65534 (nobody)";
      return jail;
    }
    throw std::runtime_error(fmt::format("--peer-user {}: no such user", name));
  }
  if (entry->pw_uid == 0)
    throw std::runtime_error(fmt::format("--peer-user {}: peers must not run as root", name));
  jail.uid = entry->pw_uid;
  jail.gid = entry->pw_gid;
  jail.user = fmt::format("{} (uid {})", name, entry->pw_uid);
  return jail;
}

void use_peer_jail(PeerJail jail) {
  jail_in_use() = std::move(jail);
}

const PeerJail& peer_jail() {
  return jail_in_use();
}

std::vector<std::string> jailed_command(const std::vector<std::string>& command,
                                        const std::string& root) {
  const auto& jail = jail_in_use();
  if (jail.program.empty()) {
    if (!root.empty())
      throw std::runtime_error("a peer with a \"root\" needs tlsmatrix-peer-jail to run");
    return command;
  }
  std::vector<std::string> argv{jail.program.string()};
  if (!root.empty()) argv.insert(argv.end(), {"--root", root});
  if (jail.uid)
    argv.insert(argv.end(),
                {"--uid", std::to_string(*jail.uid), "--gid", std::to_string(*jail.gid)});
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

}  // namespace tlsmatrix
