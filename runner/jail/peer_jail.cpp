// tlsmatrix-peer-jail [--root DIR] [--uid N --gid N] -- COMMAND...
//
// Every peer process is started through this, so that none outlives its cell and none runs
// with privileges. The outer process (the runner's child) makes a PID namespace; its first
// child is that namespace's init, which chroots (--root), drops to the peer user with no
// capabilities and no_new_privs, and runs COMMAND. When COMMAND's process ends, init exits
// with its status, and the kernel kills whatever else lives in the namespace (daemons,
// setsid grandchildren), which also closes their copies of the runner's pipes. When the outer
// is killed (the runner's group kill, or the runner dying), init dies by PDEATHSIG, and with
// it the namespace. When the runner is not root, a user namespace comes with the PID
// namespace: peers then run as the runner's own user.
//
// Exit status: COMMAND's (its signal is raised again on the outer process); 127 with a line
// on stderr when COMMAND cannot be run; 126 when the jail itself cannot be set up.
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace {

constexpr int kSetupFailed = 126;
constexpr int kCannotRun = 127;

struct Options {
  const char* root = nullptr;
  long uid = -1;
  long gid = -1;
  char** command = nullptr;
};

[[noreturn]] void fail(const char* what) {
  dprintf(2, "tlsmatrix-peer-jail: %s: %s\n", what, strerror(errno));
  _exit(kSetupFailed);
}

[[noreturn]] void usage(const char* why) {
  dprintf(2,
          "tlsmatrix-peer-jail: %s\nusage: tlsmatrix-peer-jail [--root DIR] [--uid N --gid N] -- "
          "COMMAND...\n",
          why);
  _exit(kSetupFailed);
}

long number(const char* text) {
  char* end = nullptr;
  errno = 0;
  const long n = strtol(text, &end, 10);
  if (errno || end == text || *end || n < 0) usage("--uid and --gid take a number");
  return n;
}

Options parse(int argc, char** argv) {
  Options o;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
    if (arg == "--root")
      o.root = argv[++i];
    else if (arg == "--uid")
      o.uid = number(argv[++i]);
    else if (arg == "--gid")
      o.gid = number(argv[++i]);
    else
      usage(("unknown option " + arg).c_str());
  }
  if (i >= argc - 1) usage("no COMMAND after --");
  if ((o.uid < 0) != (o.gid < 0)) usage("--uid and --gid go together");
  o.command = argv + i + 1;
  return o;
}

// The write end of a pipe that only the outer process holds: init sees it hang up once the
// outer is gone (init's getppid() is 0, its parent being outside the namespace).
int g_outer_alive = -1;

// The kernel kills init when the outer process dies. A credential change clears this setting
// (prctl(2)), so it is set again after each one, and an outer that died before it was set is
// caught by the hang-up of g_outer_alive.
void die_with_outer() {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("PR_SET_PDEATHSIG");
  pollfd check{g_outer_alive, POLLIN, 0};
  if (poll(&check, 1, 0) != 0) _exit(kSetupFailed);  // readable or hung up: the outer is gone
}

void write_file(const char* path, const std::string& text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    fail(path);
  close(fd);
}

// Not root: a user namespace maps our own uid (to 0 when --root needs chroot, otherwise to
// itself), so the PID namespace (and chroot) can be made without privileges.
void enter_user_namespace(bool as_root) {
  const uid_t uid = getuid();
  const gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0) fail("unshare(CLONE_NEWUSER|CLONE_NEWPID)");
  write_file("/proc/self/setgroups", "deny");
  write_file("/proc/self/uid_map",
             std::to_string(as_root ? 0 : uid) + " " + std::to_string(uid) + " 1\n");
  write_file("/proc/self/gid_map",
             std::to_string(as_root ? 0 : gid) + " " + std::to_string(gid) + " 1\n");
}

// Needs CAP_SETPCAP, so it comes before the uid changes.
void drop_bounding_set() {
  for (int cap = 0; cap <= 63; ++cap)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) fail("PR_CAPBSET_DROP");
}

void drop_capabilities() {
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capset, &header, data) != 0) fail("capset");
}

// To the peer user (when one is given), with no capability left and no way to gain one.
void drop_privileges(const Options& o) {
  drop_bounding_set();
  if (o.uid >= 0) {
    if (setgroups(0, nullptr) != 0) fail("setgroups");
    if (setresgid(static_cast<gid_t>(o.gid), static_cast<gid_t>(o.gid),
                  static_cast<gid_t>(o.gid)) != 0)
      fail("setresgid");
    if (setresuid(static_cast<uid_t>(o.uid), static_cast<uid_t>(o.uid),
                  static_cast<uid_t>(o.uid)) != 0)
      fail("setresuid");
  }
  drop_capabilities();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("PR_SET_NO_NEW_PRIVS");
  die_with_outer();
}

[[noreturn]] void exec_peer(char** command) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  execvp(command[0], command);
  dprintf(2, "tlsmatrix-peer-jail: cannot run '%s': %s\n", command[0], strerror(errno));
  _exit(kCannotRun);
}

// pid 1 of the namespace: runs the peer, reaps every orphan, and ends with the peer's main
// process, reporting its raw wait status to the outer process through `status_pipe`.
[[noreturn]] void run_init(const Options& o, int status_pipe) {
  if (o.root && (chroot(o.root) != 0 || chdir("/") != 0)) fail(o.root);
  drop_privileges(o);
  const pid_t peer = fork();
  if (peer < 0) fail("fork");
  if (peer == 0) {
    close(status_pipe);
    exec_peer(o.command);
  }
  // The runner's pipes are the peer's business; init holds no copy of them.
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd <= 2; ++fd) null >= 0 ? dup2(null, fd) : close(fd);
  for (;;) {
    int status = 0;
    const pid_t ended = waitpid(-1, &status, 0);
    if (ended < 0 && errno == EINTR) continue;
    if (ended < 0) _exit(kSetupFailed);
    if (ended == peer) {
      (void)!write(status_pipe, &status, sizeof status);
      _exit(0);
    }
  }
}

[[noreturn]] void end_like(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    sigprocmask(SIG_UNBLOCK, &only, nullptr);
    raise(sig);
    _exit(128 + sig);
  }
  _exit(kSetupFailed);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const pid_t runner = getppid();
  if (geteuid() == 0) {
    if (unshare(CLONE_NEWPID) != 0) fail("unshare(CLONE_NEWPID)");
  } else {
    enter_user_namespace(o.root != nullptr);
  }
  int status_pipe[2], alive_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0 || pipe2(alive_pipe, O_CLOEXEC) != 0) fail("pipe");
  const pid_t init = fork();
  if (init < 0) fail("fork");
  if (init == 0) {
    close(status_pipe[0]);
    close(alive_pipe[1]);
    g_outer_alive = alive_pipe[0];
    die_with_outer();
    run_init(o, status_pipe[1]);
  }
  close(status_pipe[1]);
  close(alive_pipe[0]);
  // The outer process needs nothing either; it only waits.
  drop_bounding_set();
  if (o.uid >= 0 && (setgroups(0, nullptr) != 0 ||
                     setresgid(static_cast<gid_t>(o.gid), static_cast<gid_t>(o.gid),
                               static_cast<gid_t>(o.gid)) != 0 ||
                     setresuid(static_cast<uid_t>(o.uid), static_cast<uid_t>(o.uid),
                               static_cast<uid_t>(o.uid)) != 0)) {
    kill(init, SIGKILL);
    fail("dropping privileges");
  }
  drop_capabilities();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("PR_SET_NO_NEW_PRIVS");
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != runner) {
    kill(init, SIGKILL);
    _exit(kSetupFailed);
  }
  int status = 0;
  while (waitpid(init, &status, 0) < 0)
    if (errno != EINTR) fail("waitpid");
  int peer_status = 0;
  if (read(status_pipe[0], &peer_status, sizeof peer_status) == sizeof peer_status)
    end_like(peer_status);
  end_like(status);
}
