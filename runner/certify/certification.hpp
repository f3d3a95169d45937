// The certification of a vendor's peer (tlsmatrix certify): per profile met / not met / not
// applicable with the cells behind it, what was certified (the executable's SHA-256, the
// reference peers, the suite revision, the tool), as certification.json and a self-contained
// certification.html. Format: results/README.md ("certification.json").
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cell_result.hpp"
#include "peer_catalog.hpp"

namespace tlsmatrix {

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

// What the suites were: the git commit of the checkout that holds them (when it is one),
// whether the suite files differ from it, and a SHA-256 over every file below the folder.
struct SuiteRevision {
  std::string dir;
  std::optional<std::string> git_commit;  // HEAD of the checkout holding `dir`
  std::optional<bool> git_modified;       // files below `dir` differ from HEAD (or are new)
  std::string sha256;  // SHA-256 of the lines "SHA256  RELATIVE-PATH\n", paths sorted bytewise
  std::size_t files = 0;
};
SuiteRevision suite_revision(const std::filesystem::path& suites_dir);

// HEAD of the git checkout holding `dir`; nullopt when it is none or git is missing.
std::optional<std::string> git_commit_of(const std::filesystem::path& dir);
// Whether anything below `dir` differs from HEAD or is untracked; nullopt as above.
std::optional<bool> git_modified_below(const std::filesystem::path& dir);

// A scenario a running server (certify --server) cannot take part in, and why
// (running_server_fit.hpp).
struct NotApplicableScenario {
  std::string suite;
  std::string scenario;
  std::string reason;
};
std::vector<NotApplicableScenario> running_server_not_applicable(const std::vector<Suite>& suites,
                                                                 const RunningServer& server);

struct CertificationInput {
  const Peer* vendor = nullptr;
  std::string vendor_name;
  std::string program;         // the vendor command's program, resolved through PATH; empty
                               // for a running server
  std::string program_sha256;  // of that file
  std::vector<NotApplicableScenario> not_applicable;  // a running server's
  std::vector<const Peer*> references;
  const std::vector<CellResult>* cells = nullptr;  // the run's, vendor vs reference only
  std::string run_id;
  std::string run_dir;
  std::string date;  // UTC, when the certification was made
  SuiteRevision suites;
  nlohmann::json tlsmatrix;  // {version, source_commit, source_modified, binary_sha256}
};

struct Certification {
  nlohmann::json json;     // certification.json
  bool certified = false;  // every applicable profile is met, and at least one applies
};

Certification make_certification(const CertificationInput& input);

// certification.html: one self-contained page (inline CSS, no script) that opens from disk.
std::string certification_html(const nlohmann::json& certification);

}  // namespace tlsmatrix
