// External PSKs (Capabilities::psk and the features external_psk and cert_with_extern_psk),
// read off the wire:
//   client mode set S  a client configured with S sends psk_key_exchange_modes exactly S;
//   server mode set S  a server configured with S, against clients configured with each set,
//                      selects every mode of S at least once and never one outside S (a
//                      ServerHello with pre_shared_key and no key_share is psk_ke);
//   hash h             a PSK bound to h completes with pre_shared_key in the ServerHello;
//   external_psk       some PSK handshake completes with it accepted and both sides say so;
//   cert_with_extern_psk  with a server certificate as well, the ServerHello accepts the PSK
//                      and the client reports the server's certificate (RFC 8773).
#pragma once

#include "handshake_plan.hpp"

namespace tlsmatrix::probe {

HandshakePlan plan_psk();

}  // namespace tlsmatrix::probe
