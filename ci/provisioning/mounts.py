"""Mount points below a directory: listing, unmounting, and removing a tree only when nothing
is mounted inside it (the repository is bind-mounted into a root while its peers build, and
mmdebstrap mounts /proc, /sys and /dev while it runs)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def under(directory: Path) -> list[str]:
    """Mount points at or below DIRECTORY, deepest first."""
    top = str(directory).rstrip("/")
    points = []
    with open("/proc/self/mounts", encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2:
                continue
            # /proc/self/mounts escapes blanks and backslashes as octal: \040
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])
            if point == top or point.startswith(top + "/"):
                points.append(point)
    return sorted(points, reverse=True)


def unmount(point: str) -> None:
    for argv in (["umount", point], ["umount", "-l", point]):
        if subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            return


def unmount_under(directory: Path) -> None:
    for point in under(directory):
        unmount(point)


def bind_read_only(source: Path, target: Path) -> None:
    """Bind-mounts SOURCE on TARGET read-only; raises RuntimeError with the reason."""
    target.mkdir(parents=True, exist_ok=True)
    unmount_under(target)
    for argv, what in ((["mount", "--bind", str(source), str(target)], "mount --bind failed"),
                       (["mount", "-o", "remount,bind,ro", str(target)],
                        "cannot make the bind mount read-only")):
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            unmount_under(target)
            raise RuntimeError(f"{what}: {done.stderr.strip()}")


def remove_tree(directory: Path) -> bool:
    """rm -rf DIRECTORY, but never while anything is still mounted inside it."""
    unmount_under(directory)
    if under(directory):
        return False
    subprocess.run(["rm", "-rf", "--one-file-system", "--", str(directory)], check=True)
    return True
