// The process-wide side of NSS: one initialisation per process (one peer process is one
// endpoint), a private temporary folder for what NSS insists on having on disk, the one way a
// refused setting becomes a ConfigRejected, and the library's error text.
#pragma once

#include <prerror.h>

#include <string>
#include <string_view>

namespace tlsmatrix::nss_adapter {

// Initialises NSS without a certificate database (certificates and keys live as temporary and
// session objects) and the server session cache in a private folder removed at exit.
// Idempotent; throws std::runtime_error when NSS cannot start.
void ensure_library();

// In a process forked from one that initialised NSS (`PEER --serve`): softoken's one global
// generator, copied from the serving process, would give every request the same bytes. Mixes
// fresh system randomness into it, which reseeds it at once, and drains the few bytes it had
// generated ahead. Does nothing when NSS was not initialised; throws std::runtime_error when NSS
// refuses.
void reseed_after_fork();

// The release the linked library reports at run time, e.g. "3.110".
std::string library_version();

// NSPR's name and text for `error`, e.g. "SSL_ERROR_NO_CYPHER_OVERLAP: Cannot communicate ...".
std::string error_text(PRErrorCode error);
// error_text(PR_GetError()).
std::string last_error_text();

// Refuses `setting` of the endpoint configuration; the driver reports the message verbatim.
[[noreturn]] void reject(std::string_view setting, std::string_view why);
// Rejects `setting` with NSS's error text when `ok` is false (a SECStatus other than success).
void require_ok(bool ok, std::string_view setting, std::string_view doing);
// Throws std::runtime_error with NSS's error text when `ok` is false: the library failed at
// something no setting asked for, which is not a refusal.
void require_library(bool ok, std::string_view doing);

}  // namespace tlsmatrix::nss_adapter
