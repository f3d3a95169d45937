// Questions several parts of the project ask of one WireObservation, answered once here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wire_observation.hpp"

namespace tlsmatrix {

// The groups of the key_share entries of the first ClientHello, in wire order; empty when
// there was none.
std::vector<std::uint16_t> first_key_share_groups(const WireObservation& observation);

// The names of a ClientHello's psk_key_exchange_modes (RFC 8446 §4.2.9), in wire order.
std::vector<std::string> offered_psk_mode_names(const ClientHelloObservation& hello);

// The TLS 1.3 PSK key exchange mode the server accepted: "psk_dhe_ke" when its ServerHello
// carries a key_share next to pre_shared_key, "psk_ke" when it does not (RFC 8446 §4.2.9);
// nullopt when no PSK was accepted.
std::optional<std::string> accepted_psk_mode(const WireObservation& observation);

// Whether the handshake used a PSK: in TLS 1.3 the ServerHello carries pre_shared_key
// (RFC 8446 §4.2.11); in TLS 1.2 it selects a PSK cipher suite. nullopt without a ServerHello.
std::optional<bool> psk_used(const WireObservation& observation);

// Whether the ServerHello accepted both a PSK and tls_cert_with_extern_psk (RFC 9973): the
// server then authenticates with its certificate too. nullopt without a ServerHello.
std::optional<bool> cert_with_extern_psk_negotiated(const WireObservation& observation);

// The downgrade sentinel of the last ServerHello (RFC 8446 §4.1.3): "tls1.2", "tls1.1_or_below"
// or "none"; nullopt without a ServerHello.
std::optional<std::string> downgrade_sentinel(const WireObservation& observation);
std::optional<std::string> downgrade_sentinel_name(const ServerHelloObservation& hello);

// Whether the client sent anything of its next flight after the last ServerHello: a plaintext
// handshake message after its last ClientHello or a protected record. A client that catches a
// downgrade at the ServerHello sends neither (RFC 8446 §4.1.3); nullopt without a ServerHello.
std::optional<bool> client_answered_server_hello(const WireObservation& observation);

}  // namespace tlsmatrix
