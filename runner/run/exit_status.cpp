#include "exit_status.hpp"

namespace tlsmatrix {

int exit_status(const Tally& tally, const std::string& fail_on) {
  if (fail_on == "never") return 0;
  if (fail_on == "unexpected") return tally.unexpected ? 1 : 0;
  if (tally[Status::error]) return 1;
  if (fail_on == "error") return 0;
  if (tally[Status::fail]) return 1;
  if (fail_on == "fail") return 0;
  return tally[Status::deviation] ? 1 : 0;
}

}  // namespace tlsmatrix
