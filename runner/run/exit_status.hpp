// The exit status of `tlsmatrix run` for a finished run (documented in results/README.md).
#pragma once

#include <string>
#include <vector>

#include "tally.hpp"

namespace tlsmatrix {

// What makes a finished run exit 1: "unexpected" (default: any cell whose verdict misses its
// expected result; `error` is never expected), or, ignoring the known deviations, a cell of
// status "error", "fail" or worse, "deviation" or worse; "never" always exits 0.
inline const std::vector<std::string> kFailOnChoices = {"unexpected", "error", "fail", "deviation",
                                                        "never"};

int exit_status(const Tally& tally, const std::string& fail_on);

// Bad input: a bad command line, a broken suite or catalog file, a peer that cannot be used.
inline constexpr int kExitBadInput = 2;
// A results file could not be written (a full disk, a removed folder): the run stopped at once.
// EX_IOERR of sysexits.h, apart from every status a finished run can have.
inline constexpr int kExitResultsNotWritten = 74;
// The run was interrupted (SIGINT, SIGTERM); the results hold the cells that finished.
inline constexpr int kExitInterrupted = 130;

}  // namespace tlsmatrix
