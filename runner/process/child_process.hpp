// Starting peer processes. Every child is put in the caller's process group (so one kill
// reaches everything it started), inherits no descriptor but its three pipes, and dies with
// the runner thread that started it (PR_SET_PDEATHSIG), so no peer outlives a run.
#pragma once

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

class SpawnedChild {
 public:
  // Throws std::runtime_error ("cannot start ...") when the command cannot be executed.
  SpawnedChild(boost::asio::io_context& io, boost::process::group& group,
               const std::vector<std::string>& command);
  // Writes `text` to the child's stdin, then closes it; asynchronous.
  void send_stdin(std::string text);
  boost::process::async_pipe& out() { return out_; }
  boost::process::async_pipe& err() { return err_; }
  // Non-blocking: true once the child has ended (and was reaped).
  bool ended();
  // Polls for up to `grace` for the child to end by itself (its pipes close just before it
  // exits); true when it did.
  bool wait_ended(std::chrono::milliseconds grace);
  // Blocks until the child is reaped; call after the group was killed or it ended.
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
  int exit_code = -1;
  std::string exit;  // SpawnedChild::exit_description()
  std::string stdout_text;
  std::string stderr_text;
};

// Runs `command` to completion with `stdin_text` as input; kills it after `timeout`.
ChildRun run_child(const std::vector<std::string>& command, const std::string& stdin_text,
                   std::chrono::milliseconds timeout);

std::string describe_exit(const ChildRun& run);
// Helpers for error messages about a child's output.
std::string last_line(const std::string& text);
std::string excerpt(const std::string& text, std::size_t max = 80);

}  // namespace tlsmatrix
