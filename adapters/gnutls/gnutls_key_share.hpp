// GnuTLS picks the TLS 1.3 key shares of a ClientHello itself: one share for each of the first
// one, two (the default) or three groups of distinct key types in the groups order, chosen by a
// gnutls_init() flag. To honour `key_shares` exactly, this module asks the library what each
// flag really sends by building a throwaway ClientHello, and picks the flag that matches.
#pragma once

#include <gnutls/gnutls.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tlsmatrix::gnutls_adapter {

// The groups (IANA codes) GnuTLS puts in the key_share extension of a first ClientHello built
// with `init_flags` and `configure`. Throws ConfigRejected naming key_shares when it cannot.
std::vector<std::uint16_t> probe_key_shares(unsigned init_flags,
                                            const std::function<void(gnutls_session_t)>& configure);

// Returns the gnutls_init() key share flag whose first ClientHello carries a share for exactly
// the groups in `wanted`; `configure` applies the endpoint's settings to a fresh client session.
// Throws ConfigRejected naming key_shares when no flag does.
unsigned key_share_flag(const std::vector<std::string>& wanted, unsigned init_flags,
                        const std::function<void(gnutls_session_t)>& configure);

}  // namespace tlsmatrix::gnutls_adapter
