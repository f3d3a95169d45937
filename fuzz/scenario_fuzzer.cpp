// Bytes as a YAML input file, through both loaders check and run use: the suite loader (with
// the real suites/pki) and the known-deviations loader, which share the checked YAML reader.
// ScenarioFileError and ExpectationsError are the expected answers to garbage; anything else
// escaping (or a crash, a sanitizer report, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "known_deviations.hpp"
#include "scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tlsmatrix::TestPki pki(TLSMATRIX_SOURCE_DIR "/suites/pki");
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    tlsmatrix::load_suite_text(text, "fuzz.yaml", pki);
  } catch (const tlsmatrix::ScenarioFileError&) {
  }
  try {
    tlsmatrix::KnownDeviations known;
    known.add_text(text, "fuzz.yaml");
  } catch (const tlsmatrix::ExpectationsError&) {
  }
  return 0;
}
