// Reads suite files. Every problem is reported as "FILE:LINE:COLUMN: what is wrong", and a
// file is either loaded whole or rejected: a typo never silently tests a default.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario.hpp"
#include "test_pki.hpp"

namespace tlsmatrix {

class ScenarioFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Suite load_suite_file(const std::filesystem::path& file, const TestPki& pki);
Suite load_suite_text(const std::string& text, const std::string& file_name, const TestPki& pki);

// Every *.yaml in `dir`, sorted by name; `only` (suite ids) narrows the set and each named
// suite must exist. Entries that look like suite files but are not loaded (*.yml, folders,
// FIFOs, dangling links) go to `skipped` as "PATH: skipped, why"; a folder with no suite file
// is an error. Files are limited as yaml_document.hpp says.
std::vector<Suite> load_suites(const std::filesystem::path& dir, const TestPki& pki,
                               const std::vector<std::string>& only = {},
                               std::vector<std::string>* skipped = nullptr);

}  // namespace tlsmatrix
