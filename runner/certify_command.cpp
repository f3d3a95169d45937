#include "certify_command.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "capability_cache.hpp"
#include "certification.hpp"
#include "certify_profiles.hpp"
#include "command_words.hpp"
#include "exit_status.hpp"
#include "protocol_json.hpp"
#include "results_files.hpp"
#include "run_info.hpp"
#include "safe_text.hpp"
#include "terminal_output.hpp"
#include "test_pki.hpp"
#include "utf8_text.hpp"

namespace tlsmatrix {
namespace {

namespace fs = std::filesystem;

// The vendor peer's environment, and the stack no known-deviation file names.
constexpr const char* kVendorEnvironment = "vendor";
// What a running server must serve: the suites' default server certificate (suites/pki/).
constexpr const char* kRunningServerCertificate = "server-ecdsa-p256";

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
      throw std::invalid_argument(fmt::format("{} is not an executable file", file.string()));
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
  throw std::invalid_argument(fmt::format("no executable {} in PATH ({})", word, path));
}

std::string program_search_path() {
  const char* path = std::getenv("PATH");
  return path ? path : "/usr/bin:/bin";
}

void add_certify_options(CLI::App* cmd, CertifyOptions& options, CommonOptions& common) {
  auto* peer = cmd->add_option("--peer", options.peer_command,
                               "the vendor's peer: a command speaking peers/PROTOCOL.md, split "
                               "into words like a shell does (quotes, backslashes; nothing "
                               "expanded), its program looked up in PATH");
  auto* server = cmd->add_option(
      "--server", options.server_address,
      "instead of --peer: a TLS server already running at HOST:PORT (an IP address; [v6]:port), "
      "serving suites/pki/server-ecdsa-p256 and echoing application data; only the scenarios a "
      "client drives are run against it (peers/VENDORS.md, \"A running server\")");
  peer->excludes(server);
  cmd->add_option("--server-capabilities", options.server_capabilities,
                  "with --server: a JSON file holding what the server supports, in the form of "
                  "a capabilities event (peers/PROTOCOL.md); cells needing anything else are "
                  "unsupported (default: nothing is ruled out)")
      ->needs(server);
  cmd->add_option("--name", options.name,
                  "the vendor peer's name (letters, digits, . _ - +); its peer id is "
                  "NAME@vendor (default: the program's file name, or running-server)");
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

namespace {

// What certify knows of the thing it certifies, whichever kind it is.
struct VendorUnderTest {
  std::string program;                        // empty for a running server
  std::optional<std::string> program_sha256;  // of `program`
  std::vector<std::string> command;
  std::optional<Peer> running_server;  // set for --server
};

VendorUnderTest vendor_peer_command(const CertifyOptions& options) {
  if (first_invalid_utf8(options.peer_command))
    throw std::invalid_argument(
        fmt::format("--peer '{}' is not UTF-8", escaped_bytes(options.peer_command)));
  std::vector<std::string> words;
  try {
    words = split_command(options.peer_command);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("--peer: {}", e.what()));
  }
  std::string program;
  try {
    program = resolve_program(words.front(), program_search_path());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("--peer: {}", e.what()));
  }
  const auto program_sha256 = file_sha256(program);
  if (!program_sha256) throw std::invalid_argument(fmt::format("--peer: cannot read {}", program));
  words.front() = program;  // the jail runs it by this path; the capability cache keys on it
  return {program, program_sha256, words, std::nullopt};
}

// Whether anything accepts TCP connections at `server`, so that a server that is not running
// is one clear error before the run, not every cell an error.
void check_accepts_connections(const RunningServer& server) {
  sockaddr_storage address{};
  socklen_t length = 0;
  if (server.host.find(':') == std::string::npos) {
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    in->sin_family = AF_INET;
    in->sin_port = htons(server.port);
    ::inet_pton(AF_INET, server.host.c_str(), &in->sin_addr);
    length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(server.port);
    ::inet_pton(AF_INET6, server.host.c_str(), &in6->sin6_addr);
    length = sizeof(sockaddr_in6);
  }
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  // Bounded: a filtered address would otherwise take the kernel's connect timeout (minutes).
  timeval limit{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), length);
  const int error = errno;
  ::close(fd);
  if (rc != 0)
    throw std::invalid_argument(fmt::format("--server {}: nothing accepts connections there ({})",
                                            server.address(), std::strerror(error)));
}

VendorUnderTest vendor_running_server(const CertifyOptions& options, const std::string& id,
                                      const CommonOptions& common) {
  auto server = parse_server_address(options.server_address);
  server.certificate_chain_pem = TestPki(fs::path(common.suites_dir) / "pki")
                                     .certified_key(kRunningServerCertificate)
                                     .chain_pem;
  Capabilities capabilities;
  if (!options.server_capabilities.empty()) {
    const auto& file = options.server_capabilities;
    std::ifstream in(file);
    if (!in)
      throw std::invalid_argument(fmt::format("--server-capabilities {}: cannot read it", file));
    try {
      capabilities = capabilities_from_json(nlohmann::json::parse(in));
    } catch (const std::exception& e) {
      throw std::invalid_argument(fmt::format("--server-capabilities {}: {}", file, e.what()));
    }
    capabilities.serve = false;  // there is no process to serve requests
    server.capabilities_declared = true;
  } else {
    capabilities.stack = kVendorEnvironment;
    capabilities.library = "undeclared (a running server)";
    capabilities.version = "unknown";
  }
  check_accepts_connections(server);
  Peer peer;
  peer.entry = {id,    kVendorEnvironment, kVendorEnvironment, {}, "tlsmatrix certify --server", "",
                server};
  peer.capabilities = std::move(capabilities);
  return {"", std::nullopt, {}, std::move(peer)};
}

}  // namespace

RunningServer parse_server_address(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument(fmt::format("--server '{}': {}", escaped_bytes(text), why));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw bad("expected HOST:PORT");
  RunningServer server;
  server.host = text.substr(0, colon);
  if (server.host.size() > 2 && server.host.front() == '[' && server.host.back() == ']')
    server.host = server.host.substr(1, server.host.size() - 2);
  const auto port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw bad("the port must be a number 1..65535");
  const auto port = std::stoul(port_text);
  if (port < 1 || port > 65535) throw bad("the port must be a number 1..65535");
  server.port = static_cast<std::uint16_t>(port);
  in6_addr any{};
  const bool v4 = ::inet_pton(AF_INET, server.host.c_str(), &any) == 1;
  const bool v6 = !v4 && ::inet_pton(AF_INET6, server.host.c_str(), &any) == 1;
  if (!v4 && !v6) throw bad("HOST must be an IP address (IPv6 in brackets), not a name");
  if (v6 && text.front() != '[') throw bad("write an IPv6 address in brackets: [HOST]:PORT");
  return server;
}

int certify_command(const CommonOptions& given, CertifyOptions options,
                    const std::string& command_line, const std::atomic<bool>& cancelled) {
  const bool running = !options.server_address.empty();
  if (!running && options.peer_command.empty())
    throw std::invalid_argument("certify needs --peer 'COMMAND' or --server HOST:PORT");
  std::optional<VendorUnderTest> vendor_peer;
  if (!running) vendor_peer = vendor_peer_command(options);
  const auto name = !options.name.empty() ? options.name
                    : running             ? std::string("running-server")
                                          : fs::path(vendor_peer->program).filename().string();
  if (!valid_name(name))
    throw std::invalid_argument(fmt::format(
        "--name '{}': use letters, digits, '.', '_', '-' and '+' (at most 64, a letter or "
        "digit first)",
        escaped_bytes(name)));

  auto common = given;
  common.peer_ids_option = "--reference";
  const auto vendor_id = fmt::format("{}@{}", name, kVendorEnvironment);
  const auto vendor =
      running ? vendor_running_server(options, vendor_id, common) : std::move(*vendor_peer);
  if (running)
    common.running_servers.push_back(*vendor.running_server);
  else
    common.extra_peers.push_back({vendor_id, kVendorEnvironment, kVendorEnvironment, vendor.command,
                                  "tlsmatrix certify --peer", ""});

  auto& run = options.run;
  run.suites.clear();           // every suite
  run.options.filters.clear();  // every scenario
  run.history = "";             // a vendor's run is not the project's history (results/README.md)
  // The vendor peer against every reference peer, in both roles (a running server: as server
  // only); no vendor->vendor cell.
  run.options.pairs = [vendor_id, running](const Peer& client, const Peer& server) {
    if (running) return server.entry.id == vendor_id && client.entry.id != vendor_id;
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
    input.program = vendor.program;
    input.program_sha256 = vendor.program_sha256.value_or("");
    if (const auto& server = input.vendor->entry.running_server)
      input.not_applicable = running_server_not_applicable(finished.suites, *server);
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
    std::string text = running
                           ? fmt::format(
                                 "\nCertification of {} (a running server at {}; {} scenarios not "
                                 "applicable to it, listed in certification.json):\n",
                                 vendor_id, vendor.running_server->entry.running_server->address(),
                                 input.not_applicable.size())
                           : fmt::format("\nCertification of {} ({}, SHA-256 {}):\n", vendor_id,
                                         vendor.program, *vendor.program_sha256);
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
