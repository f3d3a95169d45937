"""What every environment's job shares: the run's settings, the console, the child processes,
the roots' readiness, and the failure that ends a job."""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .commands import Children

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Failure(Exception):
    """Ends one environment's job: "environment NAME: WHAT: WHY"."""

    def __init__(self, what: str, why: str):
        super().__init__(f"{what}: {why}")
        self.what = what
        self.why = why


class Roots:
    """Which roots are ready for the environments that live in them, and one apt at a time
    per root."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._state: dict[str, str] = {}
        self._apt: dict[Path, threading.Lock] = {}

    def settle(self, owner: str, state: str) -> None:
        """Records "ok" or "failed" for OWNER's root; the first word stands."""
        with self._cond:
            self._state.setdefault(owner, state)
            self._cond.notify_all()

    def wait(self, owner: str, stopping, timeout: float = 3600) -> str:
        """"ok", "failed", "stopped" or "timeout"."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while owner not in self._state:
                if stopping():
                    return "stopped"
                if time.monotonic() > deadline:
                    return "timeout"
                self._cond.wait(1.0)
            return self._state[owner]

    def apt_lock(self, root_dir: Path) -> threading.Lock:
        with self._cond:
            return self._apt.setdefault(root_dir, threading.Lock())


@dataclass
class Run:
    repo: Path
    defs_dir: Path
    cache: Path
    state_dir: Path  # this run's scratch files, removed at the end
    mirror: str
    security_mirror: str
    launcher: str  # how a root is entered in the catalog: "chroot" or "unshare"
    refresh: bool
    children: Children
    # owner -> the definitions of this run's environments that live in its root
    guests: dict = field(default_factory=dict)
    roots: Roots = field(default_factory=Roots)
    nproc: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))
    _print: threading.Lock = field(default_factory=threading.Lock)

    def shown(self, path: Path) -> str:
        """PATH relative to the repository, as reports print it."""
        return str(path.relative_to(self.repo)) if path.is_relative_to(self.repo) else str(path)

    def say(self, text: str, err: bool = False) -> None:
        with self._print:
            stream = sys.stderr if err else sys.stdout
            print(text, file=stream, flush=True)


def read_stamp(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def write_stamp(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n")


def write_file(path: Path, text: str) -> None:
    """Replaces PATH (never writes through it: a root's own file may be a symlink)."""
    new = path.with_name(path.name + ".new")
    new.write_text(text)
    os.replace(new, path)
