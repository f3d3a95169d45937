// The endpoint configurations every part of the capability probe starts from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "handshake_plan.hpp"

namespace tlsmatrix::probe {

// Server certificate, unverified by the client; the library's defaults everywhere else.
ConfigPair cert_pair(const CertifiedKey& server_certificate);
ConfigPair ecdsa_pair();
// External PSK on both sides (TLS 1.3 unless narrowed), no certificates.
// Both sides share one external PSK; `modes` unset leaves each library's default.
ConfigPair psk_pair(const std::optional<std::vector<std::string>>& modes,
                    const std::string& hash = "SHA256");
// Both ends pinned to one version.
void pin_version(ConfigPair& pair, const std::string& version);

}  // namespace tlsmatrix::probe
