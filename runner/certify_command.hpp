// tlsmatrix certify: a vendor's peer (any executable speaking peers/PROTOCOL.md) against every
// reference peer, in both roles, over every suite; the ordinary run folder plus
// certification.json and certification.html (results/README.md, "certification.json").
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <string>
#include <vector>

#include "commands.hpp"

namespace tlsmatrix {

struct CertifyOptions {
  std::string peer_command;  // --peer 'COMMAND': the vendor's peer, split like a shell word list
  // --server HOST:PORT: a running server instead (only the scenarios a client drives apply).
  std::string server_address;
  std::string server_capabilities;  // --server-capabilities FILE: what it declares it supports
  std::string name;                 // --name; default: the program's file name
  RunCommandOptions run;            // results root, jobs, timeout, captures; every suite, no filter
};

// The program a command's first word names: as given when it holds a '/', else the first
// executable regular file of that name in `path` (PATH's form); made absolute. Throws
// std::invalid_argument naming what was looked for.
std::string resolve_program(const std::string& word, const std::string& path);
// PATH, or /usr/bin:/bin when it is unset.
std::string program_search_path();

// --server's "HOST:PORT" or "[HOST]:PORT", HOST an IP address literal (no name is looked up:
// the address is exactly what is tested). Throws std::invalid_argument naming what is wrong.
RunningServer parse_server_address(const std::string& text);

// Registers the certify-only options on `cmd` (--peer or --server and --server-capabilities,
// --name, --results, --reference, -j, --cell-timeout, --captures); the caller adds the catalog,
// suites and probe-cache options.
void add_certify_options(CLI::App* cmd, CertifyOptions& options, CommonOptions& common);

// Exit status: 0 when every applicable profile is met and one applies, 1 otherwise, 2 on bad input,
// 74 when a results file cannot be written, 130 when interrupted (results/README.md).
int certify_command(const CommonOptions& common, CertifyOptions options,
                    const std::string& command_line, const std::atomic<bool>& cancelled);

}  // namespace tlsmatrix
