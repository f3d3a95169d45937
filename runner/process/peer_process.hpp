// One peer process as the runner holds it between cells: started through the peer jail in a
// process group of its own, with three pipes the runner reads and writes without blocking.
// Unlike SpawnedChild it belongs to no io_context, so a serving peer (peers/PROTOCOL.md,
// "Serving many requests") can outlive the cell that started it and serve the next one.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tlsmatrix {

// Polls `ended` every millisecond for up to `grace`; true once it returned true.
bool wait_until(const std::function<bool()>& ended, std::chrono::milliseconds grace);
// "exit status 0", "signal 11 (Segmentation fault)" for a waitpid() status.
std::string wait_status_text(int status);

class PeerProcess {
 public:
  // Runs `command` (inside `root` when not empty) through the peer jail. The child inherits
  // no descriptor but its three pipes and dies with the runner thread that started it
  // (PR_SET_PDEATHSIG). Throws std::runtime_error ("cannot start ...") when it cannot run.
  PeerProcess(const std::vector<std::string>& command, const std::string& root);
  ~PeerProcess();  // kills and reaps whatever is still running
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  // The runner's ends of the pipes, non-blocking; -1 once closed.
  int stdin_fd() const { return in_; }
  int stdout_fd() const { return out_; }
  int stderr_fd() const { return err_; }
  void close_stdin();
  void close_output();  // stops reading stdout and stderr

  // Non-blocking: true once the process has ended (and was reaped).
  bool ended();
  // Polls for up to `grace` for the process to end by itself; true when it did.
  bool wait_ended(std::chrono::milliseconds grace);
  // SIGKILL to its process group and to the process itself (it may have left the group).
  void kill();
  // Blocks until the process is reaped; call after kill() or once it ended.
  void reap();
  // "exit status 0", "signal 11 (Segmentation fault)"; "still running" before it ended.
  std::string exit_description();
  std::optional<int> exit_status();

  // Requests this process has served to the end (peers/PROTOCOL.md, "Serving many requests").
  unsigned served = 0;

 private:
  pid_t pid_ = -1;
  std::optional<int> wait_status_;
  int in_ = -1, out_ = -1, err_ = -1;
};

}  // namespace tlsmatrix
