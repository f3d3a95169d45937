// `PEER --serve` (peers/PROTOCOL.md, "Serving many requests"): one process serves request after
// request. It initialises and warms up its library once; then, as the adapter's
// request_isolation() says, it handles each request itself (every object a request makes dies
// with it) or in a process forked for it that handles the request exactly as a single-request
// peer does and exits. Either way each request starts from the same warmed-up state and leaves
// nothing behind for the next.
#pragma once

#include "stack_adapter.hpp"

namespace tlsmatrix {

// Serves the requests on stdin, one JSON object per line, until end-of-file. Returns the
// process's exit status: 0 at end-of-file; 2 after a request it could not understand (its
// `error` event was printed); a request's process that died of a signal kills this process with
// the same signal, so the runner sees the same death as from a single-request peer.
int serve_requests(StackAdapter& adapter);

// Sets the C library's allocator up for a process that does the same request again and again:
// freed memory is kept for the next request instead of returned to the kernel and faulted in
// again. serve_requests() calls it; so does the in-process floor (bench/), to measure the same.
void keep_heap_between_requests();

}  // namespace tlsmatrix
