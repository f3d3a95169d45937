// The GnuTLS stack: make_stack_adapter() and what the linked library can do, probed by compiling
// the same priority strings a connection would use.
#include <memory>

#include "gnutls_connection.hpp"
#include "gnutls_credentials.hpp"
#include "gnutls_first_flight.hpp"
#include "gnutls_priority.hpp"
#include "gnutls_util.hpp"
#include "legacy_capabilities.hpp"
#include "stack_adapter.hpp"
#include "tls_registry.hpp"

namespace tlsmatrix {
namespace gnutls_adapter {
namespace {

EndpointConfig only_version(std::string_view version) {
  EndpointConfig c;
  c.min_version = c.max_version = std::string(version);
  return c;
}

// Whether GnuTLS configures `config` exactly, through the same code path open() takes.
bool library_accepts(const EndpointConfig& config) {
  try {
    compile_priority(config);
    make_credentials(config);
    return true;
  } catch (const ConfigRejected&) {
    return false;
  }
}

// A group the library lists may still lack a working implementation (post-quantum groups depend
// on how GnuTLS was built), so a group counts only once a client offering it alone can write
// its ClientHello.
bool library_generates_share(const GroupInfo& group) {
  EndpointConfig c = only_version("TLSv1.3");
  c.groups = {std::string(group.name)};
  try {
    const auto priority = compile_priority(c);
    const auto credentials = make_credentials(c);
    return writes_client_hello(0, [&](gnutls_session_t s) {
      require_ok(gnutls_priority_set(s, priority.cache.get()), "groups", "applying the priority");
      attach_credentials(s, credentials);
    });
  } catch (const ConfigRejected&) {
    return false;
  }
}

class GnutlsAdapter final : public StackAdapter {
 public:
  Capabilities capabilities() const override {
    Capabilities caps;
    LegacyLists legacy;
    caps.stack = "gnutls";
    caps.library = "GnuTLS";
    caps.version = library_version();
    caps.version_text = "GnuTLS " + caps.version;

    for (const auto& v : known_versions())
      if (library_accepts(only_version(v.name))) legacy.versions.emplace_back(v.name);

    for (const auto& g : known_groups())
      if (library_generates_share(g)) legacy.groups.emplace_back(g.name);

    for (const auto& s : known_cipher_suites()) {
      EndpointConfig c = only_version(s.tls13 ? "TLSv1.3" : "TLSv1.2");
      c.cipher_suites = {std::string(s.name)};
      if (library_accepts(c)) legacy.cipher_suites.emplace_back(s.name);
    }

    for (const char* mode : {"psk_dhe_ke", "psk_ke"}) {
      const auto works_as = [&](Role role) {
        EndpointConfig c = only_version("TLSv1.3");
        c.role = role;
        c.psk = ExternalPsk{"probe", "00", "SHA256", {mode}};
        return library_accepts(c);
      };
      if (works_as(Role::client) && works_as(Role::server)) legacy.psk_modes.emplace_back(mode);
    }

    // Each was exercised between two GnuTLS peers and against OpenSSL. Not listed:
    // key_share_selection (GnuTLS shares only the first 1-3 groups of distinct key types; other
    // key_shares are refused) and cert_with_extern_psk (GnuTLS has no RFC 8773).
    legacy.features = {
        "server_preference",     "session_tickets",     "keylog",
        "hostname_verification", "client_certificates", "hello_retry_request_report"};
    if (!legacy.psk_modes.empty()) legacy.features.emplace_back("external_psk");
    if (legacy.groups.size() >= 2) {
      // A share for the first group only, with a second group offered without one.
      EndpointConfig c = only_version("TLSv1.3");
      c.groups = {legacy.groups[0], legacy.groups[1]};
      c.key_shares = std::vector<std::string>{legacy.groups[0]};
      if (library_accepts(c)) legacy.features.emplace_back("key_share_first_group");
    }
    apply_legacy_lists(caps, legacy);
    return caps;
  }

  std::unique_ptr<TlsConnection> open(const EndpointConfig& config, int fd) override {
    return std::make_unique<GnutlsConnection>(config, fd);
  }
};

}  // namespace
}  // namespace gnutls_adapter

std::unique_ptr<StackAdapter> make_stack_adapter() {
  return std::make_unique<gnutls_adapter::GnutlsAdapter>();
}

}  // namespace tlsmatrix
