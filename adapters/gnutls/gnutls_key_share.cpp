#include "gnutls_key_share.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>

#include "gnutls_hello.hpp"
#include "gnutls_util.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix::gnutls_adapter {
namespace {

ssize_t capture_push(gnutls_transport_ptr_t sink, const void* data, size_t size) {
  static_cast<std::string*>(sink)->append(static_cast<const char*>(data), size);
  return static_cast<ssize_t>(size);
}

// Nothing ever answers, so the probe stops right after sending its ClientHello.
ssize_t silent_pull(gnutls_transport_ptr_t, void*, size_t) {
  errno = EAGAIN;
  return -1;
}

int ready_pull_timeout(gnutls_transport_ptr_t, unsigned int) {
  return 1;
}

std::string group_list(const std::vector<std::uint16_t>& codes) {
  std::vector<std::string> out;
  for (const auto c : codes) out.push_back(group_name(c));
  return fmt::format("[{}]", fmt::join(out, ", "));
}

}  // namespace

std::vector<std::uint16_t> probe_key_shares(
    unsigned init_flags, const std::function<void(gnutls_session_t)>& configure) {
  gnutls_session_t raw = nullptr;
  require_ok(gnutls_init(&raw, GNUTLS_CLIENT | init_flags), "key_shares", "creating a session");
  SessionPtr session(raw);
  configure(raw);
  std::string wire;
  gnutls_transport_set_ptr(raw, &wire);
  gnutls_transport_set_push_function(raw, capture_push);
  gnutls_transport_set_pull_function(raw, silent_pull);
  gnutls_transport_set_pull_timeout_function(raw, ready_pull_timeout);
  gnutls_handshake_set_timeout(raw, 0);
  const int ret = gnutls_handshake(raw);
  if (ret != GNUTLS_E_AGAIN)
    reject("key_shares", fmt::format("probing the ClientHello failed: {}", gnutls_strerror(ret)));
  try {
    return client_hello_key_shares(wire);
  } catch (const std::exception& e) {
    reject("key_shares", fmt::format("probing the ClientHello failed: {}", e.what()));
  }
}

unsigned key_share_flag(const std::vector<std::string>& wanted, unsigned init_flags,
                        const std::function<void(gnutls_session_t)>& configure) {
  std::vector<std::uint16_t> want;
  for (const auto& name : wanted)
    if (const auto g = group_by_name(name)) want.push_back(g->code);
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());

  std::vector<std::string> possible;
  for (const unsigned flag : {GNUTLS_KEY_SHARE_TOP, GNUTLS_KEY_SHARE_TOP2, GNUTLS_KEY_SHARE_TOP3}) {
    const auto sent = probe_key_shares(init_flags | flag, configure);
    auto sorted = sent;
    std::sort(sorted.begin(), sorted.end());
    if (sorted == want) return flag;
    const auto listed = group_list(sent);
    if (std::find(possible.begin(), possible.end(), listed) == possible.end())
      possible.push_back(listed);
  }
  reject("key_shares",
         fmt::format("GnuTLS {} sends shares for the first 1-3 groups of distinct key types in "
                     "groups order; asked for {}, it can send only one of {}",
                     library_version(), group_list(want), fmt::join(possible, ", ")));
}

}  // namespace tlsmatrix::gnutls_adapter
