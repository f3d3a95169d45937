#include "check_peer.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "check_peer_checks.hpp"
#include "command_words.hpp"
#include "protocol_json.hpp"

namespace tlsmatrix {

namespace {

// A loopback port that refuses every connection: bound (so nobody else gets it) but never
// listening, for as long as the checks run.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      if (fd_ >= 0) ::close(fd_);
      throw std::runtime_error("cannot bind a loopback port for the checks");
    }
    port_ = ntohs(address.sin_port);
  }
  ~RefusingPort() { ::close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// One line on the terminal, whatever the peer printed.
std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char ch) { return ch == '\n' || ch == '\r'; }, ' ');
  return text;
}

}  // namespace

std::vector<std::string> peer_command_from_words(const std::vector<std::string>& words) {
  if (words.size() != 1) return words;
  std::error_code ec;
  if (std::filesystem::exists(words.front(), ec)) return words;
  return split_command(words.front());
}

std::vector<CheckReport> check_peer(const CheckPeerOptions& options,
                                    const std::atomic<bool>& cancelled) {
  if (options.command.empty()) throw std::invalid_argument("check-peer: the peer command is empty");
  const RefusingPort refusing;
  CheckContext context{options, cancelled};
  context.refusing_port = refusing.port();
  std::vector<CheckReport> reports;
  for (const auto& check : peer_checks()) {
    CheckReport report;
    report.id = check.id;
    report.section = check.section;
    const auto start = std::chrono::steady_clock::now();
    const auto finding = cancelled ? CheckFinding{CheckStatus::skip, "interrupted (Ctrl-C)", ""}
                                   : check.run(context);
    report.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    report.status = finding.status;
    report.sends = finding.sent.empty() ? std::string(check.sends) : finding.sent;
    report.message =
        one_line(finding.status != CheckStatus::fail
                     ? finding.text
                     : fmt::format("sent {}; got: {}; PROTOCOL.md \"{}\" requires {}", report.sends,
                                   finding.text, check.section, check.required));
    reports.push_back(std::move(report));
  }
  return reports;
}

const char* check_status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::pass:
      return "PASS";
    case CheckStatus::fail:
      return "FAIL";
    case CheckStatus::skip:
      return "SKIP";
  }
  return "?";
}

std::string check_reports_text(const std::vector<CheckReport>& reports) {
  std::string out;
  for (const auto& r : reports)
    out += fmt::format("{} {}: {}\n", check_status_name(r.status), r.id, r.message);
  return out;
}

nlohmann::json check_reports_json(const CheckPeerOptions& options,
                                  const std::vector<CheckReport>& reports) {
  nlohmann::json checks = nlohmann::json::array();
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& r : reports) {
    ++counts[static_cast<int>(r.status)];
    std::string status = check_status_name(r.status);
    std::transform(status.begin(), status.end(), status.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    checks.push_back({{"id", r.id},
                      {"status", status},
                      {"message", r.message},
                      {"sends", r.sends},
                      {"section", r.section},
                      {"ms", r.ms}});
  }
  return {{"schema", "tlsmatrix-check-peer"},
          {"schema_version", 1},
          {"peer_protocol", kPeerProtocolVersion},
          {"command", options.command},
          {"root", options.root.empty() ? nlohmann::json(nullptr) : nlohmann::json(options.root)},
          {"timeout_ms", options.timeout.count()},
          {"checks", checks},
          {"totals", {{"pass", counts[0]}, {"fail", counts[1]}, {"skip", counts[2]}}},
          {"ok", counts[1] == 0}};
}

bool any_failed(const std::vector<CheckReport>& reports) {
  return std::any_of(reports.begin(), reports.end(),
                     [](const CheckReport& r) { return r.status == CheckStatus::fail; });
}

}  // namespace tlsmatrix
