// Certification profiles (tlsmatrix certify): one table of what a vendor's peer may claim,
// each with its citation, the scenarios that count and the rule that decides it, and the rule
// itself on cells as the matrix judged them. Documented in results/README.md
// ("certification.json").
#pragma once

#include <string>
#include <vector>

#include "verdict.hpp"

namespace tlsmatrix {

struct CertificationProfile {
  std::string id;
  std::string title;
  std::string claim;     // what a vendor may say when the profile is met
  std::string citation;  // the RFC sections, and what their text says
  // Globs on "suite/scenario" (fnmatch, no flags): the scenarios whose cells count.
  std::vector<std::string> scenarios;
  std::string rule;  // the rule in words, as certification.json and the HTML repeat it
};

// The profiles, in the order reports list them. Every suite of suites/ is counted by one.
const std::vector<CertificationProfile>& certification_profiles();

// One cell as the rule sees it: the matrix's status and whether it matched its expectation.
struct ProfileCell {
  std::string id;
  std::string suite;
  std::string scenario;
  Status status = Status::pass;
  bool as_expected = true;  // the cell's `match` is "expected"
};

enum class ProfileVerdict { met, not_met, not_applicable };
const char* profile_verdict_name(ProfileVerdict verdict);  // met, not_met, not_applicable

struct ProfileJudgement {
  ProfileVerdict verdict = ProfileVerdict::not_applicable;
  std::vector<std::size_t> counted;      // indexes into the cells given: the profile's cells
  std::vector<std::size_t> executed;     // of those, every cell not `unsupported`
  std::vector<std::size_t> unsupported;  // of those, the `unsupported` ones (listed, not judged)
  std::vector<std::size_t> failing;      // executed cells that did not match their expectation
  std::string reason;                    // one sentence: why this verdict
};

bool profile_counts(const CertificationProfile& profile, const std::string& suite,
                    const std::string& scenario);

// The rule: a profile is met iff it has at least one executed (not `unsupported`) cell and
// every executed cell matched its expectation; with executed cells of which one did not, it
// is not met (those are `failing`); with no executed cell (every cell `unsupported`, or no
// cell at all) it is not applicable, never met.
ProfileJudgement judge_profile(const CertificationProfile& profile,
                               const std::vector<ProfileCell>& cells);

}  // namespace tlsmatrix
