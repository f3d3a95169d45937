// A peer that stopped while configuring decides its cell before anything else, since whatever
// the other side did afterwards only follows from it (a server that never listened has no
// client at all; the server of a client that never connected is ended by the runner).
// - A peer that cannot honour its configuration says so (protocol 2, `refused`) instead of
//   running something else. Such a cell is `unsupported`, naming the side, the peer, the setting
//   and the peer's reason.
// - A peer whose library failed on its configuration otherwise is broken: `error`.
#pragma once

#include <optional>

#include "cell_executor.hpp"
#include "verdict.hpp"
#include "wire_observation.hpp"

namespace tlsmatrix {

// Both judge the cell's first connection, where configuring happens. Empty when neither peer
// refused. `error` when a refusal contradicts the wire or the other
// peer's report (a refusing client cannot have sent a ClientHello, nor a refusing server a
// ServerHello, and nobody completes a handshake with a peer that refused).
std::optional<Verdict> refusal_verdict(const ConnectionRun& first, const WireObservation& wire,
                                       const CellRequest& request);

// Empty unless a peer reports stage `configure` without a refusal; judged after refusals.
std::optional<Verdict> configure_failure_verdict(const ConnectionRun& first,
                                                 const CellRequest& request);

}  // namespace tlsmatrix
