"""Child processes and the per-environment log.

Every command runs in its own session (process group), so Ctrl-C reaches only ci/provision,
which then stops them all (Children.stop) before it unmounts and exits. Each environment's
commands write into its provision.log; a failed command's "why" is the telling line of what
it wrote there."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path


class Stopped(Exception):
    """The run is being stopped (Ctrl-C, SIGTERM): no new command starts."""


class CommandFailed(Exception):
    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


class Children:
    """The running child processes of every environment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self.stopping = False

    def start(self, argv: list[str], **kwargs) -> subprocess.Popen:
        with self._lock:
            if self.stopping:
                raise Stopped()
            p = subprocess.Popen(argv, start_new_session=True, **kwargs)
            self._running.add(p)
            return p

    def wait(self, p: subprocess.Popen, timeout: float | None = None) -> int:
        try:
            return p.wait(timeout=timeout)
        finally:
            if p.returncode is not None:
                with self._lock:
                    self._running.discard(p)

    def kill(self, p: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to every running command's process group, SIGKILL after GRACE seconds."""
        with self._lock:
            self.stopping = True
            running = list(self._running)
        for p in running:
            self.kill(p, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for p in running:
            try:
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill(p)
                p.wait()


def duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def why_from_output(text: str, rc: int, log_name: str) -> str:
    """The line that says why a command failed: apt's first "E:" (mmdebstrap's verbose output
    also holds dpkg's harmless "update-alternatives: error:" lines), else the first compiler
    or configure "error:", else the last line that sounds like a failure, else the last line."""
    lines = [line for line in text.splitlines() if line.strip()]
    line = next((l for l in lines if l.startswith("E: ")), None)
    if line is None:
        line = next((l for l in lines if re.search(r"error:", l, re.I)), None)
    if line is None:
        telling = [l for l in lines
                   if re.search(r"[Ee]rror|ERROR|[Ff]atal|FAILED|not found|[Nn]o such|cannot"
                                r"|Couldn.t|failed", l)
                   and not re.match(r"(W: |Get:|Ign:|Hit:)", l)]
        line = telling[-1] if telling else (lines[-1] if lines else f"exit status {rc}")
    line = line.replace("\t", " ").lstrip()
    if len(line) > 240:
        line = line[:237] + "..."
    return f"{line} (exit {rc}; log: {log_name})"


class Log:
    """One environment's provision.log, and the commands that write into it."""

    def __init__(self, path: Path, shown: str, children: Children):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.shown = shown  # the path as printed in reports
        self.children = children
        open(path, "wb").close()
        self._file = open(path, "ab")  # O_APPEND: the commands write into the same file

    def _size(self) -> int:
        return os.fstat(self._file.fileno()).st_size

    def close(self) -> None:
        self._file.close()

    def write(self, text: str) -> None:
        self._file.write(text.encode())
        self._file.flush()

    def run(self, argv: list[str], shown: str | None = None, env: dict | None = None,
            nice: int = 0) -> None:
        """Runs ARGV with its output in the log; raises CommandFailed with the why."""
        self.write(f"\n$ {shown or shlex.join(argv)}\n")
        start = self._size()
        if nice > 0:
            argv = ["nice", "-n", str(nice), *argv]
        t0 = time.monotonic()
        p = self.children.start(argv, stdin=subprocess.DEVNULL, stdout=self._file,
                                stderr=subprocess.STDOUT, env=env)
        rc = self.children.wait(p)
        end = self._size()
        self.write(f"# exit status {rc} after {int(time.monotonic() - t0)}s\n")
        if rc != 0:
            with open(self.path, "rb") as f:
                f.seek(start)
                text = f.read(end - start).decode(errors="replace")
            raise CommandFailed(why_from_output(text, rc, self.shown))

    def output(self, argv: list[str], timeout: float, env: dict | None = None) -> tuple[int, str]:
        """Runs ARGV with its standard error in the log; (exit status, standard output).
        Exit status 124 when it ran out of time, as timeout(1) says."""
        p = self.children.start(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=self._file, env=env)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.children.kill(p)
            out, _ = p.communicate()
            self.children.wait(p)
            return 124, out.decode(errors="replace")
        self.children.wait(p)
        return p.returncode, out.decode(errors="replace")
