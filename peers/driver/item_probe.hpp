// Versions, groups and cipher suites, item by item and role by role (Capabilities::versions,
// groups, cipher_suites), and the default key shares. Every answer is read off the wire:
//   require  the client listing only x against a server listing only x completes with x
//            negotiated (both roles: a self-handshake cannot tell them apart);
//   client exclude  in every handshake of the same family whose client listed other items
//            only, x was not in the ClientHello;
//   server exclude  a client offering [x, y] (x first, seen on the wire) against a server
//            listing only y completes with y;
//   a role is present when require holds or the default handshake negotiated x.
// Families keep each check meaningful: cipher suites are probed per TLS 1.3 / ECDSA / RSA /
// PSK authentication with matching credentials, groups in TLS 1.3.
#pragma once

#include "handshake_plan.hpp"

namespace tlsmatrix::probe {

// The default handshake (nothing configured) and one "require" handshake per known item.
HandshakePlan plan_items_required();
// One "server exclude" handshake per item whose server role is present; needs the tables
// plan_items_required filled.
HandshakePlan plan_items_excluded(const Capabilities& caps);

}  // namespace tlsmatrix::probe
