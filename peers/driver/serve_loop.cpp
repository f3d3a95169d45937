#include "serve_loop.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "loopback_socket.hpp"
#include "memory_handshake.hpp"
#include "peer_driver.hpp"
#include "probe_configs.hpp"
#include "protocol_json.hpp"
#include "test_pki.hpp"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // the same number on every architecture (Linux 5.3)
#endif

#if defined(__SANITIZE_ADDRESS__)
#define TLSMATRIX_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define TLSMATRIX_LEAK_CHECKED 1
#endif
#endif

namespace tlsmatrix {
namespace {

using nlohmann::json;

// Lines from stdin, read with read(2) on descriptor 0 and buffered here: nothing of stdin is
// held in a stdio or iostream buffer that a forked process would inherit.
class LineReader {
 public:
  // The next complete line already read, if any; at end-of-file also a last line without its
  // newline.
  std::optional<std::string> take() {
    if (lines_.empty()) return std::nullopt;
    auto line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }
  // Puts a line taken back in front, to be taken again later.
  void put_back(std::string line) { lines_.push_front(std::move(line)); }
  bool at_eof() const { return eof_; }
  // One read(2), blocking; end-of-file (or a read error) makes at_eof() true.
  void fill() {
    char buf[65536];
    ssize_t n;
    do {
      n = ::read(STDIN_FILENO, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    if (n < 0) log_line(fmt::format("serve: reading stdin failed (errno {}), ending", errno));
    if (n <= 0) {
      eof_ = true;
      if (!partial_.empty()) lines_.push_back(std::move(partial_));
      partial_.clear();
      return;
    }
    partial_.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = partial_.find('\n')) != std::string::npos;) {
      lines_.push_back(partial_.substr(0, nl));
      partial_.erase(0, nl + 1);
    }
  }

 private:
  std::deque<std::string> lines_;
  std::string partial_;
  bool eof_ = false;
};

bool blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

// What the loop needs to know of a line before it is handled: a runner's `cancel` and its
// number, or a request and its number (nullopt when it has none, or is no JSON object at all:
// the request's own process then reports it).
struct LineKind {
  bool cancel = false;
  std::optional<std::int64_t> number;
};

LineKind classify(const std::string& line) {
  const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  LineKind kind;
  if (!j.is_object()) return kind;
  const auto key = j.contains("cancel") ? "cancel" : "request";
  kind.cancel = j.contains("cancel");
  if (const auto it = j.find(key); it != j.end() && it->is_number_integer())
    kind.number = it->get<std::int64_t>();
  return kind;
}

// Takes the lines already read while request `number` runs: true at a `cancel` for it. Other
// cancels are ignored; a line that is not a cancel (the runner sends no request before
// `served`) is put back for later and `holding` set, after which stdin need not be watched.
bool cancel_arrived(LineReader& in, std::optional<std::int64_t> number, bool& holding) {
  while (auto next = in.take()) {
    if (blank(*next)) continue;
    const auto kind = classify(*next);
    if (!kind.cancel) {
      in.put_back(std::move(*next));
      holding = true;
      return false;
    }
    if (kind.number && number && *kind.number == *number) return true;
  }
  return false;
}

// Lets a request that runs in the serving process see a `cancel` while its server waits for
// a client.
class StdinCancelWatch final : public WaitInterruption {
 public:
  StdinCancelWatch(LineReader& in, std::optional<std::int64_t> number) : in_(in), number_(number) {}
  int fd() const override { return in_.at_eof() || holding_ ? -1 : STDIN_FILENO; }
  bool cancelled() override {
    in_.fill();
    return cancel_arrived(in_, number_, holding_);
  }

 private:
  LineReader& in_;
  std::optional<std::int64_t> number_;
  bool holding_ = false;
};

void emit_served(std::int64_t request) {
  emit_event({{"event", "served"}, {"protocol", kPeerProtocolVersion}, {"request", request}});
}

// In-memory handshakes, so that library initialisation, provider loading, algorithm tables and
// other lazy caches are paid once here, before the first request, instead of in each (a forked
// request process inherits them): TLS 1.3 with the ECDSA certificate, TLS 1.2 with the RSA one (the
// library's defaults otherwise, no tickets, nothing that outlives the handshake's own objects).
void warm_up(StackAdapter& adapter) {
  auto tls13 = probe::ecdsa_pair();
  auto tls12 = probe::cert_pair(test_pki::server_rsa());
  probe::pin_version(tls12, "TLSv1.2");
  for (const auto* pair : {&tls13, &tls12}) {
    const auto warm = handshake_in_memory(adapter, pair->client, pair->server);
    if (!warm.completed())
      log_line(fmt::format("serve: a warm-up handshake did not complete (client: {}; server: {})",
                           warm.client.error, warm.server.error));
  }
}

// The forked process of one request: it never returns.
[[noreturn]] void child(StackAdapter& adapter, const std::string& line) {
  // stdin belongs to the serving process (a `cancel` is its to read), not to the request.
  if (const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC); null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::close(null);
  }
  adapter.after_fork();
  const int status = handle_request(adapter, line, /*number_required=*/true);
  std::cout.flush();
#ifdef TLSMATRIX_LEAK_CHECKED
  std::exit(status);  // runs LeakSanitizer's check, which _exit would skip
#else
  // The request's process leaves at once: the parent's objects it copied (the adapter, the
  // library's global state) are the parent's to tear down, not its.
  ::_exit(status);
#endif
}

pid_t wait_for(pid_t pid, int& status) {
  pid_t r;
  do {
    r = ::waitpid(pid, &status, 0);
  } while (r < 0 && errno == EINTR);
  return r;
}

// The exit status the serving process takes on from a request's process that ended other than
// with 0; never returns for a signal.
int take_on(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    log_line(fmt::format(
        "serve: a request's process died of signal {}; so does the serving process", sig));
    std::cout.flush();
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    ::_exit(128 + sig);  // a signal whose default is not to end the process
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

// Runs one request in a forked process and waits for it, reading `cancel` lines meanwhile.
// Returns the status to end the serving process with, or nullopt to go on serving.
std::optional<int> run_forked(StackAdapter& adapter, LineReader& in, const std::string& line,
                              std::optional<std::int64_t> number) {
  std::cout.flush();
  std::fflush(nullptr);  // nothing buffered may be written twice, by parent and child
  const pid_t pid = ::fork();
  if (pid < 0) {
    log_line(fmt::format("serve: fork failed (errno {})", errno));
    return 1;
  }
  if (pid == 0) child(adapter, line);

  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0)
    log_line(fmt::format("serve: pidfd_open failed (errno {}): no cancel for request {}", errno,
                         number.value_or(0)));
  bool cancelled = false;
  bool holding = false;  // a line that is not a cancel waits for the next round
  while (pidfd >= 0 && !cancelled) {
    const bool reading = !in.at_eof() && !holding;
    pollfd p[2] = {{pidfd, POLLIN, 0}, {STDIN_FILENO, static_cast<short>(reading ? POLLIN : 0), 0}};
    const int rc = ::poll(p, reading ? 2 : 1, -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) {
      log_line(fmt::format("serve: poll failed (errno {})", errno));
      break;  // waitpid below still waits for the request to end
    }
    if (p[0].revents != 0) break;  // the request's process has ended
    if (p[1].revents == 0) continue;
    in.fill();
    if (cancel_arrived(in, number, holding)) {
      ::kill(pid, SIGKILL);
      cancelled = true;
    }
  }
  int status = 0;
  const pid_t reaped = wait_for(pid, status);
  if (pidfd >= 0) ::close(pidfd);
  if (reaped < 0) {
    log_line(fmt::format("serve: waitpid failed (errno {})", errno));
    return 1;
  }
  const bool killed_by_cancel = cancelled && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (killed_by_cancel || (WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    emit_served(number.value_or(0));
    return std::nullopt;
  }
  return take_on(status);
}

// StackAdapter::after_request(): false (and a line on stderr) when the adapter could not clear
// what the library keeps process-wide, so the process must not serve another request.
bool forget_request(StackAdapter& adapter) {
  try {
    adapter.after_request();
    return true;
  } catch (const std::exception& e) {
    log_line(fmt::format("serve: cannot serve another request: {}", e.what()));
    return false;
  }
}

// Runs one request in the serving process itself. Returns as run_forked() does.
std::optional<int> run_here(StackAdapter& adapter, LineReader& in, const std::string& line,
                            std::optional<std::int64_t> number) {
  StdinCancelWatch watch(in, number);
  if (const int status = handle_request(adapter, line, /*number_required=*/true, &watch);
      status != 0)
    return status;
  if (!forget_request(adapter)) return 1;
  emit_served(number.value_or(0));
  return std::nullopt;
}

}  // namespace

// A serving process frees all of a request's memory at its end and allocates it again in the
// next. glibc's defaults give the top of the heap back to the kernel once 128 KiB are free and
// mmap each block of 128 KiB or more, so every request paid page faults for memory it had just
// returned (half the CPU of wolfSSL 5.5.4's in-process floor, bench/). Kept instead: the
// process's peak stays what one request needs.
void keep_heap_between_requests() {
#ifdef __GLIBC__
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

int serve_requests(StackAdapter& adapter) {
  keep_heap_between_requests();
  warm_up(adapter);
  const bool in_process = adapter.request_isolation() == StackAdapter::RequestIsolation::in_process;
  if (in_process && !forget_request(adapter)) return 1;  // nothing of the warm-up is kept
  LineReader in;
  for (;;) {
    auto line = in.take();
    if (!line) {
      if (in.at_eof()) return 0;
      in.fill();
      continue;
    }
    if (blank(*line)) continue;
    const auto kind = classify(*line);
    if (kind.cancel) continue;  // nothing runs: nothing to cancel
    // A request without a usable number is still handled, which reports it with the same
    // `error` a single-request peer gives, and ends the serving process with 2.
    const auto status = in_process ? run_here(adapter, in, *line, kind.number)
                                   : run_forked(adapter, in, *line, kind.number);
    if (status) return *status;
  }
}

}  // namespace tlsmatrix
