// `key_shares` for a library that cannot set key shares one by one: it may still send exactly
// the asked-for set by its own choice for these `groups` (a default of a hybrid share plus an
// x25519 share, say). Then the peer can honour the configuration without setting it.
#pragma once

#include "endpoint_config.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {

// The configuration to run: `config` itself when the adapter accepts its key_shares or there
// are none; with key_shares unset when the adapter refuses them but the library's own first
// ClientHello for these groups (made in memory, read off the wire) carries exactly that set;
// otherwise `config` unchanged, so that the session refuses it (peers/PROTOCOL.md, `refused`).
EndpointConfig settle_key_shares(StackAdapter& adapter, const EndpointConfig& config);

}  // namespace tlsmatrix
