// What a peer's linked library can do, probed at run time by asking the library (never
// inferred from its version number). Printed by `PEER --capabilities`.
#pragma once

#include <string>
#include <vector>

namespace tlsmatrix {

struct Capabilities {
  std::string stack;                       // adapter name: "openssl", "wolfssl", "gnutls"
  std::string library;                     // the library's own name for itself
  std::string version;                     // exact release, e.g. "3.0.22"
  std::string version_text;                // the full banner the library prints
  std::vector<std::string> versions;       // protocol versions, e.g. "TLSv1.3"
  std::vector<std::string> groups;         // tls_registry names
  std::vector<std::string> cipher_suites;  // IANA names
  std::vector<std::string> psk_modes;      // "psk_ke", "psk_dhe_ke"
  // Named abilities beyond the lists above; the vocabulary is in peers/PROTOCOL.md.
  std::vector<std::string> features;

  bool has_feature(const std::string& name) const;
};

}  // namespace tlsmatrix
