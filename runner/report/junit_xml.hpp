// junit.xml: the run as CI systems read test results (the JUnit XML that Jenkins, GitLab,
// GitHub Actions reporters and Azure DevOps accept). One <testsuite> per suite, one <testcase>
// per cell; what is a failure is what `tlsmatrix run` exits 1 for by default: a cell whose
// result is not the expected one. Documented in results/README.md, "junit.xml".
#pragma once

#include <string>
#include <vector>

#include "cell_result.hpp"
#include "run_info.hpp"

namespace tlsmatrix {

std::string junit_xml(const RunInfo& info, const std::vector<Suite>& suites,
                      const std::vector<CellResult>& cells);

}  // namespace tlsmatrix
