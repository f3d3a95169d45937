#include "certify_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "capability_cache.hpp"
#include "certification.hpp"
#include "certify_profiles.hpp"
#include "command_words.hpp"
#include "exit_status.hpp"
#include "results_files.hpp"
#include "run_info.hpp"
#include "safe_text.hpp"
#include "terminal_output.hpp"
#include "utf8_text.hpp"

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;

// The vendor peer's environment, and the stack no known-deviation file names.
constexpr const char* kVendorEnvironment = "vendor";

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '+';
  });
}

bool executable_file(const fs::path& file) {
  std::error_code ec;
  return fs::is_regular_file(file, ec) && ::access(file.c_str(), X_OK) == 0;
}

nlohmann::json tool_revision() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  const auto binary = ec ? std::nullopt : file_sha256(self);
  const auto commit = git_commit_of(TLSMATRIX_SOURCE_DIR);
  const auto modified = commit ? git_modified_below(TLSMATRIX_SOURCE_DIR) : std::nullopt;
  return {{"version", TLSMATRIX_VERSION},
          {"source_commit", commit ? nlohmann::json(*commit) : nlohmann::json(nullptr)},
          {"source_modified", modified ? nlohmann::json(*modified) : nlohmann::json(nullptr)},
          {"binary_sha256", binary ? nlohmann::json(*binary) : nlohmann::json(nullptr)}};
}

}  // namespace

std::string resolve_program(const std::string& word, const std::string& path) {
  if (word.find('/') != std::string::npos) {
    const auto file = fs::absolute(word).lexically_normal();
    if (!executable_file(file))
      throw std::invalid_argument(
          fmt::format("--peer: {} is not an executable file", file.string()));
    return file.string();
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    // An empty PATH entry is the working directory (POSIX).
    const fs::path dir = end == start ? fs::path(".") : fs::path(path.substr(start, end - start));
    if (const auto file = dir / word; executable_file(file))
      return fs::absolute(file).lexically_normal().string();
    start = end + 1;
  }
  throw std::invalid_argument(fmt::format("--peer: no executable {} in PATH ({})", word, path));
}

void add_certify_options(CLI::App* cmd, CertifyOptions& options, CommonOptions& common) {
  cmd->add_option("--peer", options.peer_command,
                  "the vendor's peer: a command speaking peers/PROTOCOL.md, split into words "
                  "like a shell does (quotes, backslashes; nothing expanded), its program "
                  "looked up in PATH")
      ->required();
  cmd->add_option("--name", options.name,
                  "the vendor peer's name (letters, digits, . _ - +); its peer id is "
                  "NAME@vendor (default: the program's file name)");
  cmd->add_option("--reference", common.peer_ids,
                  "use only these reference peer ids (repeatable; default: every peer of the "
                  "catalogs)");
  cmd->add_option("--results", options.run.results_root, "where the run folder is created")
      ->capture_default_str();
  cmd->add_option("-j,--jobs", options.run.options.jobs, "cells in parallel (default: CPU count)");
  cmd->add_option("--cell-timeout", options.run.cell_timeout_s,
                  "seconds before a cell is abandoned as error")
      ->capture_default_str()
      ->check(CLI::Range(1, 600));
  cmd->add_option("--captures", options.run.captures,
                  "which cells keep a pcap: failures, all, none")
      ->capture_default_str()
      ->check(CLI::IsMember({"failures", "all", "none"}));
}

int certify_command(const CommonOptions& given, CertifyOptions options,
                    const std::string& command_line, const std::atomic<bool>& cancelled) {
  if (first_invalid_utf8(options.peer_command))
    throw std::invalid_argument(
        fmt::format("--peer '{}' is not UTF-8", escaped_bytes(options.peer_command)));
  std::vector<std::string> words;
  try {
    words = split_command(options.peer_command);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("--peer: {}", e.what()));
  }
  const char* path = std::getenv("PATH");
  const auto program = resolve_program(words.front(), path ? path : "/usr/bin:/bin");
  const auto program_sha256 = file_sha256(program);
  if (!program_sha256) throw std::invalid_argument(fmt::format("--peer: cannot read {}", program));
  words.front() = program;  // the jail runs it by this path; the capability cache keys on it
  const auto name = options.name.empty() ? fs::path(program).filename().string() : options.name;
  if (!valid_name(name))
    throw std::invalid_argument(fmt::format(
        "--name '{}': use letters, digits, '.', '_', '-' and '+' (at most 64, a letter or "
        "digit first)",
        escaped_bytes(name)));

  auto common = given;
  const auto vendor_id = fmt::format("{}@{}", name, kVendorEnvironment);
  common.extra_peers.push_back(
      {vendor_id, kVendorEnvironment, kVendorEnvironment, words, "tlsmatrix certify --peer", ""});

  auto& run = options.run;
  run.suites.clear();           // every suite
  run.options.filters.clear();  // every scenario
  run.history = "";             // a vendor's run is not the project's history (results/README.md)
  // The vendor peer against every reference peer, in both roles; no vendor->vendor cell.
  run.options.pairs = [vendor_id](const Peer& client, const Peer& server) {
    return (client.entry.id == vendor_id) != (server.entry.id == vendor_id);
  };
  run.on_finished = [&](const FinishedRun& finished) {
    CertificationInput input;
    for (const auto& peer : finished.peers)
      if (peer.entry.id == vendor_id)
        input.vendor = &peer;
      else
        input.references.push_back(&peer);
    input.vendor_name = name;
    input.program = program;
    input.program_sha256 = *program_sha256;
    input.cells = &finished.cells;
    input.run_id = finished.run_id;
    input.run_dir = finished.dir.string();
    input.date = utc_timestamp();
    input.suites = suite_revision(common.suites_dir);
    input.tlsmatrix = tool_revision();
    const auto certification = make_certification(input);
    try {
      write_file_atomically(finished.dir / "certification.json",
                            json_text(certification.json, 2) + "\n");
      write_file_atomically(finished.dir / "certification.html",
                            certification_html(certification.json));
    } catch (const ResultsWriteError& e) {
      show(TerminalStream::err, fmt::format("tlsmatrix: {}\n", e.what()));
      return kExitResultsNotWritten;
    }
    std::string text = fmt::format("\nCertification of {} ({}, SHA-256 {}):\n", vendor_id, program,
                                   *program_sha256);
    for (const auto& profile : certification.json["profiles"])
      text += fmt::format("  {:<15} {:<22} {}\n", profile["verdict"].get<std::string>(),
                          profile["id"].get<std::string>(),
                          printable(profile["reason"].get<std::string>()));
    text += fmt::format("{}: {}\nCertification: {}/certification.json, certification.html\n",
                        certification.certified ? "CERTIFIED" : "NOT CERTIFIED",
                        certification.json["summary"].get<std::string>(), finished.dir.string());
    show(TerminalStream::out, text);
    return certification.certified ? 0 : 1;
  };
  return run_command(common, std::move(run), command_line, cancelled);
}

}  // namespace tlsmatrix
