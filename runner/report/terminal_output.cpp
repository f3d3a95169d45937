#include "terminal_output.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "safe_text.hpp"

namespace tlsmatrix {
namespace {

std::atomic<bool> g_gone[2] = {false, false};

int fd_of(TerminalStream stream) {
  return stream == TerminalStream::out ? STDOUT_FILENO : STDERR_FILENO;
}

}  // namespace

void show_raw(TerminalStream stream, std::string_view text) {
  auto& gone = g_gone[stream == TerminalStream::out ? 0 : 1];
  // Unbuffered: a line is out before the next cell starts, and a failure is seen at once.
  while (!text.empty() && !gone) {
    const auto n = ::write(fd_of(stream), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      gone = true;
      return;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void show(TerminalStream stream, std::string_view text) {
  show_raw(stream, printable(text));
}

bool is_terminal(TerminalStream stream) {
  return ::isatty(fd_of(stream)) != 0;
}

}  // namespace tlsmatrix
