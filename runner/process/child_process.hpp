// Starting peer processes. Every child runs through the peer jail (peer_jail.hpp), is put in
// the caller's process group (so one kill reaches everything it started), inherits no
// descriptor but its three pipes, and dies with the runner thread that started it
// (PR_SET_PDEATHSIG), so no peer outlives its cell or the run.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/process/async_pipe.hpp>
#include <boost/process/child.hpp>
#include <boost/process/group.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tlsmatrix {

// What the runner keeps of a peer's output: one protocol line (a cell's event, or a
// --capabilities answer) and its stderr log.
inline constexpr std::size_t kMaxEventLine = 1 << 20;
inline constexpr std::size_t kMaxStderr = 64 << 10;
// How long pipes may stay open after the runner killed everything it could: a process
// outside its reach (no jail, or one that left the process group) still holding them.
inline constexpr std::chrono::milliseconds kPipeGrace{1000};

// For callers that cannot be interrupted.
inline const std::atomic<bool> kNeverCancelled{false};

class SpawnedChild {
 public:
  // Runs `command` through the peer jail, chrooted to `root` when not empty. Throws
  // std::runtime_error ("cannot start ...") when the command cannot be executed.
  SpawnedChild(boost::asio::io_context& io, boost::process::group& group,
               const std::vector<std::string>& command, const std::string& root = "");
  // Writes `text` to the child's stdin, then closes it; asynchronous.
  void send_stdin(std::string text);
  boost::process::async_pipe& out() { return out_; }
  boost::process::async_pipe& err() { return err_; }
  // Non-blocking: true once the child has ended (and was reaped).
  bool ended();
  // Polls for up to `grace` for the child to end by itself (its pipes close just before it
  // exits); true when it did.
  bool wait_ended(std::chrono::milliseconds grace);
  // SIGKILL to the child itself (it may have left the group).
  void kill();
  // Stops reading its output: whatever still holds the pipes is no longer waited for.
  void close_pipes();
  // Blocks until the child is reaped; call after kill() or once it ended.
  void reap();
  // "exit status 0", "signal 11 (Segmentation fault)"; "still running" before it ended.
  std::string exit_description();
  std::optional<int> exit_status();

 private:
  boost::process::async_pipe in_, out_, err_;
  boost::process::child child_;
  std::shared_ptr<std::string> stdin_text_;
};

struct ChildRun {
  std::string start_error;  // set when the command could not be started
  bool timed_out = false;
  bool cancelled = false;
  std::string too_much;     // set when it printed more than kMaxEventLine on stdout
  bool pipes_held = false;  // its output stayed open after it was killed; no longer read
  int exit_code = -1;
  std::string exit;  // SpawnedChild::exit_description()
  std::string stdout_text;
  std::string stderr_text;
};

// Runs `command` (inside `root` when not empty) through the peer jail to completion with
// `stdin_text` as input. Kills it after `timeout`, when it prints more than kMaxEventLine on
// stdout, or within ~100 ms of `cancelled` becoming true; keeps kMaxStderr of its stderr.
ChildRun run_child(const std::vector<std::string>& command, const std::string& stdin_text,
                   std::chrono::milliseconds timeout,
                   const std::atomic<bool>& cancelled = kNeverCancelled,
                   const std::string& root = "");

std::string describe_exit(const ChildRun& run);
// Helpers for error messages about a child's output.
std::string last_line(const std::string& text);
std::string excerpt(const std::string& text, std::size_t max = 80);

}  // namespace tlsmatrix
