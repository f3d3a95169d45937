// A short, cited note on the security of the configuration a cell actually negotiated: an
// observation next to the verdict, never part of it. The summary uses its ranking to show, per
// pair of peers, the strongest configuration that interoperates and the weakest one each
// server accepts.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "cell_facts.hpp"

namespace tlsmatrix {

struct SecurityNote {
  std::string text;  // e.g. "psk_ke: no forward secrecy, no certificate authentication"
  std::string cite;  // where each statement comes from
  // Higher is stronger, by these properties in this order: forward secrecy, a quantum-resistant
  // (hybrid or ML-KEM) key exchange, certificate authentication, a PSK in the key schedule.
  int rank = 0;
};

// The note of a completed handshake; nullopt when it did not complete or the facts do not say
// what was negotiated.
std::optional<SecurityNote> security_note(const CellFacts& facts);
nlohmann::json to_json(const SecurityNote& note);

}  // namespace tlsmatrix
