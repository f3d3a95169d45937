"""A Debian root: made with mmdebstrap (with its environment's packages, in one step), its
device nodes, and the apt and dpkg settings rewritten on every run."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from . import mounts
from .commands import CommandFailed
from .context import KEYRING, Failure, read_stamp, write_file, write_stamp

# dpkg: no fsync per file (a disposable root) and no documentation: fewer writes, faster installs.
DPKG_CONF = """\
# Written by ci/provision: a disposable build root.
force-unsafe-io
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
"""

APT_CONF = """\
// Written by ci/provision. The mirror may serve a dated snapshot, whose Release files for
// sid have passed their Valid-Until date; the signatures are still checked.
Acquire::Check-Valid-Until "false";
Acquire::Retries "3";
APT::Install-Recommends "false";
APT::Get::Assume-Yes "true";
"""

# Character devices the peers, apt and the compilers need; mmdebstrap makes them, and they
# are checked on every run since nothing is mounted on the root's /dev afterwards.
DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8),
           "urandom": (1, 9), "tty": (5, 0)}


def stanza(kind: str, uri: str, suites, components, repo_file: str) -> str:
    return (f"# Written by ci/provision from {repo_file}.\n"
            f"Types: {kind}\nURIs: {uri}\nSuites: {' '.join(suites)}\n"
            f"Components: {' '.join(components)}\nSigned-By: {KEYRING}\n")


def sources(job) -> str:
    """The root's deb lines: SUITE and UPDATE_SUITES from the mirror, SECURITY_SUITES from the
    security mirror (deb822)."""
    d, run = job.d, job.run
    text = stanza("deb", run.mirror, (d.suite, *d.update_suites), d.components, job.def_file)
    if d.security_suites and run.security_mirror:
        text += "\n" + stanza("deb", run.security_mirror, d.security_suites, d.components,
                              job.def_file).split("\n", 1)[1]
    return text


def source_sources(job) -> str:
    d = job.d
    return stanza("deb-src", job.run.mirror, d.source_suites, d.components, job.def_file)


def make(job) -> bool:
    """The root stage; True when the root was made now (with the packages already in)."""
    d, root = job.d, job.root_dir
    want = f"suite={d.suite} variant=minbase components={' '.join(d.components)}"
    stamp = root / "tlsmatrix/stamps/root"
    if read_stamp(stamp) == want:
        job.note(f"root: cached ({d.suite})")
        return False
    if not job.run.mirror:
        raise Failure(f"mmdebstrap {d.suite}",
                      "no Debian mirror found in /etc/apt/sources.list.d/*.sources or "
                      "/etc/apt/sources.list (set TLSMATRIX_MIRROR)")
    if root.exists():
        job.note("root: removing the incomplete or outdated root")
        if not mounts.remove_tree(root):
            raise Failure("remove old root",
                          f"something is still mounted below {job.run.shown(root)}")
    # Settings handed to mmdebstrap as files: apt and dpkg use them from the first package
    # on, and the root's apt sources are the file write_apt_config keeps up to date.
    scratch = job.run.state_dir / job.name
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "apt.conf").write_text(APT_CONF)
    (scratch / "dpkg.cfg").write_text(DPKG_CONF)
    (scratch / "tlsmatrix.sources").write_text(sources(job))
    argv = ["mmdebstrap", "--mode=root", "--format=directory", "--variant=minbase", "--verbose",
            f"--components={','.join(d.components)}", f"--keyring={KEYRING}",
            "--skip=check/signed-by",     # Signed-By is in the sources
            "--skip=cleanup/apt/lists",   # the indices stay for apt-get in later stages
            f"--aptopt={scratch / 'apt.conf'}", f"--dpkgopt={scratch / 'dpkg.cfg'}"]
    if d.packages:
        argv.append(f"--include={','.join(d.packages)}")
    argv += [d.suite, str(root), str(scratch / "tlsmatrix.sources")]
    try:
        with job.step(f"mmdebstrap {d.suite} (minbase + {len(d.packages)} packages)"):
            job.run_logged(argv, nice=job.nice)
    except CommandFailed as e:
        raise Failure(f"mmdebstrap {d.suite}", e.why) from None
    finally:
        mounts.unmount_under(root)  # mmdebstrap mounts /proc, /sys and /dev while it runs
    # mmdebstrap's copies of the settings give way to the files written on every run.
    for leftover in ("etc/apt/sources.list.d/0000tlsmatrix.sources",
                     "etc/apt/apt.conf.d/99mmdebstrap", "etc/dpkg/dpkg.cfg.d/99mmdebstrap"):
        (root / leftover).unlink(missing_ok=True)
    ensure_devices(job)
    write_stamp(stamp, want)
    write_stamp(job.stamp("packages"), d.hash)
    return True


def ensure_devices(job) -> None:
    dev = job.root_dir / "dev"
    try:
        dev.mkdir(parents=True, exist_ok=True)
        for name, (major, minor) in DEVICES.items():
            node = dev / name
            try:
                if stat.S_ISCHR(node.lstat().st_mode):
                    continue
                node.unlink()
            except FileNotFoundError:
                pass
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
            os.chmod(node, 0o666)
    except OSError as e:
        raise Failure("device nodes", f"cannot create /dev nodes in the root: {e}") from None


def write_apt_config(job) -> None:
    """Rewritten on every run (cheap; no download): apt sources, apt and dpkg settings, DNS.
    Without a known mirror the root keeps what it has (the packages stage then says what is
    missing)."""
    root = job.root_dir
    if not job.run.mirror:
        return
    if job.kind == "owner":
        (root / "etc/apt/sources.list").unlink(missing_ok=True)
        write_file(root / "etc/apt/sources.list.d/tlsmatrix.sources", sources(job))
        write_file(root / "etc/apt/apt.conf.d/99tlsmatrix", APT_CONF)
        (root / "etc/dpkg/dpkg.cfg.d").mkdir(parents=True, exist_ok=True)
        write_file(root / "etc/dpkg/dpkg.cfg.d/99tlsmatrix", DPKG_CONF)
    src = root / f"etc/apt/sources.list.d/tlsmatrix-src-{job.name}.sources"
    if job.d.source_suites:
        write_file(src, source_sources(job))
    else:
        src.unlink(missing_ok=True)
    resolv = root / "etc/resolv.conf"
    if resolv.is_symlink() or resolv.exists():
        resolv.unlink()
    try:
        shutil.copyfile("/etc/resolv.conf", resolv)
    except OSError:
        pass
