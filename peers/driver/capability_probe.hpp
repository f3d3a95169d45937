// One capability probe for every peer: what a stack can do, measured by self-handshakes in
// memory, each configuring a fresh endpoint and attaching it to a socketpair, and read off the
// wire (memory_handshake.hpp); never taken from the adapter's word or a version number.
#pragma once

#include "capabilities.hpp"
#include "stack_adapter.hpp"

namespace tlsmatrix {

Capabilities probe_capabilities(StackAdapter& adapter);

}  // namespace tlsmatrix
