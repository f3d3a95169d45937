// Bytes as a suite file, through the loader check and run use, with the real suites/pki. A
// ScenarioFileError is the expected answer to garbage; anything else escaping (or a crash, a
// sanitizer report, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tlsmatrix::TestPki pki(TLSMATRIX_SOURCE_DIR "/suites/pki");
  try {
    tlsmatrix::load_suite_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml",
                               pki);
  } catch (const tlsmatrix::ScenarioFileError&) {
  }
  return 0;
}
