"""Mount points below a directory: listing, unmounting, and removing a tree only when nothing
is mounted inside it (the repository is bind-mounted into a root while its peers build, and
mmdebstrap mounts /proc, /sys and /dev while it runs)."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
from pathlib import Path

# The new mount API (Linux 5.12): a bind mount made read-only before it is attached, so no
# moment exists when the repository is writable inside a root, even if ci/provision is
# killed. Syscall numbers are the same on every architecture for these calls.
_OPEN_TREE, _MOVE_MOUNT, _MOUNT_SETATTR = 428, 429, 442
_OPEN_TREE_CLONE, _OPEN_TREE_CLOEXEC, _AT_RECURSIVE = 1, 0o2000000, 0x8000
_AT_EMPTY_PATH, _AT_FDCWD, _MOVE_MOUNT_F_EMPTY_PATH = 0x1000, -100, 0x4
_MOUNT_ATTR_RDONLY = 0x1


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


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


def _bind_read_only_at_once(source: Path, target: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long

    def call(*args) -> int:
        rc = libc.syscall(*args)
        if rc < 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        return rc

    tree = call(_OPEN_TREE, ctypes.c_int(_AT_FDCWD), os.fsencode(source),
                ctypes.c_uint(_OPEN_TREE_CLONE | _OPEN_TREE_CLOEXEC | _AT_RECURSIVE))
    try:
        attr = _MountAttr(attr_set=_MOUNT_ATTR_RDONLY)
        call(_MOUNT_SETATTR, ctypes.c_int(tree), b"", ctypes.c_uint(_AT_EMPTY_PATH | _AT_RECURSIVE),
             ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)))
        call(_MOVE_MOUNT, ctypes.c_int(tree), b"", ctypes.c_int(_AT_FDCWD), os.fsencode(target),
             ctypes.c_uint(_MOVE_MOUNT_F_EMPTY_PATH))
    finally:
        os.close(tree)


def is_read_only(point: Path) -> bool:
    """Whether the mount at POINT is read-only (its per-mount options in mountinfo)."""
    wanted = str(point).rstrip("/")
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
        found = None
        for line in f:
            fields = line.split()
            mount_point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            if mount_point == wanted:
                found = fields[5].split(",")  # the last one listed is the one on top
    return found is not None and "ro" in found


def bind_read_only(source: Path, target: Path) -> None:
    """Bind-mounts SOURCE on TARGET, read-only from the moment it appears there; raises
    RuntimeError with the reason. It is checked to be read-only before anything runs."""
    target.mkdir(parents=True, exist_ok=True)
    unmount_under(target)
    try:
        _bind_read_only_at_once(source, target)
    except OSError as e:
        unmount_under(target)
        raise RuntimeError(f"cannot bind-mount {source} read-only on {target}: {e.strerror}")
    if not is_read_only(target):
        unmount_under(target)
        raise RuntimeError(f"the bind mount on {target} is not read-only")


def remove_tree(directory: Path) -> bool:
    """rm -rf DIRECTORY, but never while anything is still mounted inside it."""
    unmount_under(directory)
    if under(directory):
        return False
    subprocess.run(["rm", "-rf", "--one-file-system", "--", str(directory)], check=True)
    return True
