#include "certification.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "capability_cache.hpp"
#include "certify_profiles.hpp"
#include "running_server_fit.hpp"
#include "safe_text.hpp"

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;

// `git -C DIR ARGS...`'s standard output, nullopt when it fails. No shell: the folder name
// cannot be read as anything but a path.
std::optional<std::string> git_output(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir.string()});
  int out[2];
  if (::pipe(out) != 0) return std::nullopt;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out[0]);
    ::close(out[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    ::dup2(out[1], 1);
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, 2);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("git", argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  std::array<char, 4096> buffer;
  for (ssize_t n; (n = ::read(out[0], buffer.data(), buffer.size())) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return text;
}

std::string text_of(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

nlohmann::json peer_json(const Peer& peer) {
  return {{"id", peer.entry.id},
          {"stack", peer.entry.stack},
          {"environment", peer.entry.environment},
          {"catalog", peer.entry.catalog},
          {"library", peer.capabilities.library},
          {"library_version", peer.capabilities.version}};
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::optional<std::string> git_commit_of(const fs::path& dir) {
  auto head = git_output(dir, {"rev-parse", "HEAD"});
  if (!head) return std::nullopt;
  while (!head->empty() && (head->back() == '\n' || head->back() == '\r')) head->pop_back();
  if (head->empty()) return std::nullopt;
  return head;
}

std::optional<bool> git_modified_below(const fs::path& dir) {
  const auto status =
      git_output(dir, {"status", "--porcelain", "--untracked-files=all", "--", "."});
  if (!status) return std::nullopt;
  return !status->empty();
}

SuiteRevision suite_revision(const fs::path& suites_dir) {
  SuiteRevision out;
  out.dir = suites_dir.string();
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(suites_dir))
    if (entry.is_regular_file())
      files.push_back(fs::relative(entry.path(), suites_dir).generic_string());
  std::sort(files.begin(), files.end());
  std::string lines;
  for (const auto& file : files) {
    const auto hash = file_sha256(suites_dir / file);
    if (!hash)
      throw std::runtime_error(fmt::format("cannot read {}", (suites_dir / file).string()));
    lines += fmt::format("{}  {}\n", *hash, file);
  }
  out.sha256 = sha256_hex(lines);
  out.files = files.size();
  out.git_commit = git_commit_of(suites_dir);
  if (out.git_commit) out.git_modified = git_modified_below(suites_dir);
  return out;
}

std::vector<NotApplicableScenario> running_server_not_applicable(const std::vector<Suite>& suites,
                                                                 const RunningServer& server) {
  std::vector<NotApplicableScenario> out;
  for (const auto& suite : suites)
    for (const auto& scenario : suite.scenarios)
      if (auto why = running_server_obstacle(scenario, server))
        out.push_back({suite.id, scenario.id, std::move(*why)});
  return out;
}

Certification make_certification(const CertificationInput& input) {
  const auto& cells = *input.cells;
  const auto& vendor_id = input.vendor->entry.id;
  std::vector<ProfileCell> rule_cells;
  for (const auto& c : cells)
    rule_cells.push_back({c.id, c.suite ? c.suite->id : "", c.scenario ? c.scenario->id : "",
                          c.verdict.status, as_expected(c)});

  const auto cell_json = [&](std::size_t i) {
    const auto& c = cells[i];
    const bool vendor_client = c.client && c.client->entry.id == vendor_id;
    const Peer* reference = vendor_client ? c.server : c.client;
    return nlohmann::json{
        {"id", c.id},
        {"vendor_role", vendor_client ? "client" : "server"},
        {"reference_peer", reference ? reference->entry.id : ""},
        {"status", status_name(c.verdict.status)},
        {"reason", c.verdict.reason},
        {"expected",
         {{"status", status_name(c.expected.status)},
          {"source", c.expected.source.empty() ? nlohmann::json(nullptr)
                                               : nlohmann::json(c.expected.source)}}},
        {"match", as_expected(c) ? "expected" : "unexpected"}};
  };

  bool certified = true;
  std::size_t applicable = 0;
  nlohmann::json profiles = nlohmann::json::array();
  for (const auto& profile : certification_profiles()) {
    auto judgement = judge_profile(profile, rule_cells);
    const auto running = input.vendor->entry.running_server;
    if (running && judgement.counted.empty())
      judgement.reason =
          "not applicable to a running server: none of the scenarios it counts can run against "
          "one (each is listed under not_applicable_scenarios with the reason)";
    if (judgement.verdict != ProfileVerdict::not_applicable) ++applicable;
    if (judgement.verdict == ProfileVerdict::not_met) certified = false;
    nlohmann::json listed = nlohmann::json::array(), failing = nlohmann::json::array(),
                   unsupported = nlohmann::json::array();
    for (const auto i : judgement.counted) listed.push_back(cell_json(i));
    for (const auto i : judgement.failing) failing.push_back(cells[i].id);
    for (const auto i : judgement.unsupported) unsupported.push_back(cells[i].id);
    profiles.push_back({{"id", profile.id},
                        {"title", profile.title},
                        {"claim", profile.claim},
                        {"citation", profile.citation},
                        {"scenarios", profile.scenarios},
                        {"rule", profile.rule},
                        {"verdict", profile_verdict_name(judgement.verdict)},
                        {"reason", judgement.reason},
                        {"counts",
                         {{"cells", judgement.counted.size()},
                          {"executed", judgement.executed.size()},
                          {"unsupported", judgement.unsupported.size()},
                          {"failing", judgement.failing.size()}}},
                        {"failing", failing},
                        {"unsupported", unsupported},
                        {"cells", listed}});
  }

  nlohmann::json references = nlohmann::json::array();
  for (const auto* p : input.references) references.push_back(peer_json(*p));
  auto vendor = peer_json(*input.vendor);
  vendor["name"] = input.vendor_name;
  vendor["command"] = input.vendor->entry.command;
  const auto or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
  };
  vendor["program"] = or_null(input.program);
  vendor["program_sha256"] = or_null(input.program_sha256);
  vendor["version_text"] = input.vendor->capabilities.version_text;
  const auto& running = input.vendor->entry.running_server;
  vendor["running_server"] =
      running ? nlohmann::json{{"address", running->address()},
                               {"capabilities_declared", running->capabilities_declared}}
              : nlohmann::json(nullptr);
  nlohmann::json not_applicable = nlohmann::json::array();
  for (const auto& n : input.not_applicable)
    not_applicable.push_back({{"suite", n.suite}, {"scenario", n.scenario}, {"reason", n.reason}});

  // Nothing judged is nothing certified: every profile not applicable (say, a peer that
  // refuses every configuration) is no certification.
  if (applicable == 0) certified = false;
  Certification out;
  out.certified = certified;
  out.json = {
      {"schema", "tlsmatrix-certification"},
      {"schema_version", 1},
      {"certified", certified},
      {"summary", certified ? fmt::format("every applicable profile is met ({} of {} applicable)",
                                          applicable, certification_profiles().size())
                  : applicable == 0 ? std::string("no profile applies: nothing was judged")
                                    : std::string("at least one applicable profile is not met")},
      {"date", input.date},
      {"vendor", vendor},
      {"reference_peers", references},
      {"cells_run",
       running ? "every scenario a client drives (all but not_applicable_scenarios) with every "
                 "reference peer as client against the running server; its side is judged from the "
                 "client's report and the wire, and it must echo the client's application data"
               : "every scenario of every suite with the vendor peer as client against every "
                 "reference peer as server, and as server against every reference peer as client; "
                 "no vendor->vendor cell"},
      {"not_applicable_scenarios", not_applicable},
      {"known_deviations",
       "only the reference stacks' adapters/*/known-deviations.yaml, for the reference peer's "
       "side: the vendor peer's stack is \"vendor\", which no entry names, and certify takes no "
       "--expectations, so every executed cell is expected to pass unless a reference stack's "
       "documented deviation explains it"},
      {"suites",
       {{"dir", input.suites.dir},
        {"git_commit", input.suites.git_commit ? nlohmann::json(*input.suites.git_commit)
                                               : nlohmann::json(nullptr)},
        {"git_modified", input.suites.git_modified ? nlohmann::json(*input.suites.git_modified)
                                                   : nlohmann::json(nullptr)},
        {"sha256", input.suites.sha256},
        {"files", input.suites.files}}},
      {"tlsmatrix", input.tlsmatrix},
      {"run", {{"id", input.run_id}, {"dir", input.run_dir}, {"matrix", "matrix.json"}}},
      {"profiles", profiles}};
  return out;
}

std::string certification_html(const nlohmann::json& c) {
  // Text from peers (reasons) may hold control characters or bytes that are not UTF-8: shown
  // as \xNN, as on the terminal and in summary.md.
  const auto e = [](const nlohmann::json& v) { return markup_text(text_of(v)); };
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>tlsmatrix "
       "certification: "
    << e(c["vendor"]["id"])
    << "</title>\n<style>\nbody{font-family:sans-serif;max-width:70em;margin:2em "
       "auto;line-height:1.4}\ntable{border-collapse:collapse;margin:.5em 0}\ntd,th{border:1px "
       "solid #999;padding:.2em .5em;vertical-align:top;text-align:left}\n.met{background:#cfc}"
       ".not_met{background:#fcc}.not_applicable{background:#eee}\n.unexpected{background:#fcc}"
       "\ncode{font-size:90%}\n</style></head><body>\n";
  h << "<h1>tlsmatrix certification of <code>" << e(c["vendor"]["id"]) << "</code></h1>\n";
  h << "<p class=\"" << (c["certified"].get<bool>() ? "met" : "not_met") << "\"><strong>"
    << (c["certified"].get<bool>() ? "Certified" : "Not certified")
    << "</strong>: " << e(c["summary"]) << ".</p>\n";
  h << "<table>\n<tr><th>date (UTC)</th><td>" << e(c["date"]) << "</td></tr>\n";
  h << "<tr><th>vendor peer</th><td><code>" << e(c["vendor"]["id"]) << "</code>, "
    << e(c["vendor"]["library"]) << " " << e(c["vendor"]["library_version"]) << "</td></tr>\n";
  if (const auto& running = c["vendor"]["running_server"]; !running.is_null()) {
    h << "<tr><th>running server</th><td><code>" << e(running["address"])
      << "</code> (capabilities " << (running["capabilities_declared"].get<bool>() ? "" : "not ")
      << "declared)</td></tr>\n";
  } else {
    h << "<tr><th>program</th><td><code>" << e(c["vendor"]["program"])
      << "</code><br>SHA-256 <code>" << e(c["vendor"]["program_sha256"]) << "</code></td></tr>\n";
    h << "<tr><th>command</th><td><code>" << e(c["vendor"]["command"]) << "</code></td></tr>\n";
  }
  h << "<tr><th>suites</th><td>git commit <code>" << e(c["suites"]["git_commit"])
    << "</code> (files modified since: " << e(c["suites"]["git_modified"]) << ")<br>SHA-256 <code>"
    << e(c["suites"]["sha256"]) << "</code> over " << e(c["suites"]["files"])
    << " files</td></tr>\n";
  h << "<tr><th>tlsmatrix</th><td>" << e(c["tlsmatrix"]["version"]) << ", source commit <code>"
    << e(c["tlsmatrix"]["source_commit"]) << "</code>, binary SHA-256 <code>"
    << e(c["tlsmatrix"]["binary_sha256"]) << "</code></td></tr>\n";
  h << "<tr><th>run</th><td><code>" << e(c["run"]["id"]) << "</code> (matrix.json beside this "
    << "file)</td></tr>\n</table>\n";
  h << "<p>" << e(c["cells_run"]) << ". Known deviations: " << e(c["known_deviations"])
    << ".</p>\n";
  h << "<h2>Reference peers</h2>\n<table><tr><th>id</th><th>library</th><th>version</th></tr>\n";
  for (const auto& p : c["reference_peers"])
    h << "<tr><td><code>" << e(p["id"]) << "</code></td><td>" << e(p["library"]) << "</td><td>"
      << e(p["library_version"]) << "</td></tr>\n";
  h << "</table>\n<h2>Profiles</h2>\n<table><tr><th>profile</th><th>verdict</th><th>cells "
       "(executed / unsupported / not matching)</th><th>why</th></tr>\n";
  for (const auto& p : c["profiles"])
    h << "<tr class=\"" << e(p["verdict"]) << "\"><td><a href=\"#" << e(p["id"]) << "\">"
      << e(p["title"]) << "</a></td><td>" << e(p["verdict"]) << "</td><td>"
      << e(p["counts"]["cells"]) << " (" << e(p["counts"]["executed"]) << " / "
      << e(p["counts"]["unsupported"]) << " / " << e(p["counts"]["failing"]) << ")</td><td>"
      << e(p["reason"]) << "</td></tr>\n";
  h << "</table>\n";
  for (const auto& p : c["profiles"]) {
    h << "<h3 id=\"" << e(p["id"]) << "\">" << e(p["title"]) << ": <span class=\""
      << e(p["verdict"]) << "\">" << e(p["verdict"]) << "</span></h3>\n";
    h << "<p><strong>Claim:</strong> " << e(p["claim"]) << "</p>\n<p><strong>Citation:</strong> "
      << e(p["citation"]) << "</p>\n<p><strong>Counted scenarios:</strong> <code>"
      << e(p["scenarios"]) << "</code>. <strong>Rule:</strong> " << e(p["rule"])
      << ".</p>\n<p><strong>Verdict:</strong> " << e(p["reason"]) << ".</p>\n";
    h << "<details" << (p["verdict"] == "not_met" ? " open" : "") << "><summary>"
      << e(p["counts"]["cells"])
      << " cells</summary>\n<table><tr><th>cell</th><th>vendor "
         "role</th><th>status</th><th>expected</th><th>match</th><th>reason</th></tr>\n";
    for (const auto& cell : p["cells"])
      h << "<tr class=\"" << e(cell["match"]) << "\"><td><code>" << e(cell["id"])
        << "</code></td><td>" << e(cell["vendor_role"]) << "</td><td>" << e(cell["status"])
        << "</td><td>" << e(cell["expected"]["status"])
        << (cell["expected"]["source"].is_null() ? "" : " (" + e(cell["expected"]["source"]) + ")")
        << "</td><td>" << e(cell["match"]) << "</td><td>" << e(cell["reason"]) << "</td></tr>\n";
    h << "</table></details>\n";
  }
  if (!c["not_applicable_scenarios"].empty()) {
    h << "<h2>Scenarios not applicable to a running server</h2>\n<table><tr><th>scenario</th>"
         "<th>why</th></tr>\n";
    for (const auto& n : c["not_applicable_scenarios"])
      h << "<tr><td><code>" << e(n["suite"]) << "/" << e(n["scenario"]) << "</code></td><td>"
        << e(n["reason"]) << "</td></tr>\n";
    h << "</table>\n";
  }
  h << "</body></html>\n";
  return h.str();
}

}  // namespace tlsmatrix
