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


def stanza(kind: str, uri: str, suites, components) -> str:
    return (f"Types: {kind}\nURIs: {uri}\nSuites: {' '.join(suites)}\n"
            f"Components: {' '.join(components)}\nSigned-By: {KEYRING}\n")


def sources(run, d) -> str:
    """The root's deb lines (deb822): suite and update_suites from the mirror,
    security_suites from the security mirror."""
    text = f"# Written by ci/provision from {run.shown(d.file)}.\n"
    text += stanza("deb", run.mirror, (d.suite, *d.update_suites), d.components)
    if d.security_suites and run.security_mirror:
        text += "\n" + stanza("deb", run.security_mirror, d.security_suites, d.components)
    return text


def source_sources(run, d) -> str:
    """An environment's deb-src lines, in a file of its own in the root it lives in."""
    return (f"# Written by ci/provision from {run.shown(d.file)}.\n"
            + stanza("deb-src", run.mirror, d.source_suites, d.components))


def make(job) -> bool:
    """The root stage; True when the root was made now, with the packages and the deb-src
    indices of every environment of this run that lives in it (their packages stages then
    have nothing to do)."""
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
    guests = job.run.guests.get(job.name, [])
    try:
        bootstrap(job, [d, *guests])
    except Failure:
        if not guests:
            raise
        # Perhaps a guest's package or suite: the root without them, and each guest's own
        # packages stage then names what is wrong with it.
        job.note(f"root: once more without the packages of {' '.join(g.name for g in guests)}")
        guests = []
        bootstrap(job, [d])
    ensure_devices(job)
    write_stamp(stamp, want)
    for env in [d, *guests]:
        write_stamp(root / "tlsmatrix/stamps" / f"{env.name}.packages", env.hash)
    return True


def bootstrap(job, envs) -> None:
    """mmdebstrap: the root with the packages and deb-src lines of ENVS (the owner first)."""
    d, root, run = job.d, job.root_dir, job.run
    if root.exists():
        job.note("root: removing the incomplete or outdated root")
        if not mounts.remove_tree(root):
            raise Failure("remove old root", f"something is still mounted below {run.shown(root)}")
    # Settings handed to mmdebstrap as files: apt and dpkg use them from the first package
    # on. Its copies give way to the files write_apt_config keeps up to date afterwards.
    scratch = run.state_dir / job.name
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    (scratch / "apt.conf").write_text(APT_CONF)
    (scratch / "dpkg.cfg").write_text(DPKG_CONF)
    lists = [scratch / "tlsmatrix.sources"]
    lists[0].write_text(sources(run, d))
    for env in envs:
        if env.source_suites:
            lists.append(scratch / f"tlsmatrix-src-{env.name}.sources")
            lists[-1].write_text(source_sources(run, env))
    packages = list(dict.fromkeys(p for env in envs for p in env.packages))
    argv = ["mmdebstrap", "--mode=root", "--format=directory", "--variant=minbase", "--verbose",
            f"--components={','.join(d.components)}", f"--keyring={KEYRING}",
            "--skip=check/signed-by",     # Signed-By is in the sources
            "--skip=cleanup/apt/lists",   # the indices stay for apt-get in later stages
            f"--aptopt={scratch / 'apt.conf'}", f"--dpkgopt={scratch / 'dpkg.cfg'}"]
    if packages:
        argv.append(f"--include={','.join(packages)}")
    argv += [d.suite, str(root), *map(str, lists)]
    try:
        with job.step(f"mmdebstrap {d.suite} (minbase + {len(packages)} packages)"):
            job.run_logged(argv)
    except CommandFailed as e:
        raise Failure(f"mmdebstrap {d.suite}", e.why) from None
    finally:
        mounts.unmount_under(root)  # mmdebstrap mounts /proc, /sys and /dev while it runs
    # mmdebstrap names the sources files 0000tlsmatrix.sources, 0001tlsmatrix-src-....
    for leftover in [*(root / "etc/apt/sources.list.d").glob("[0-9][0-9][0-9][0-9]tlsmatrix*"),
                     root / "etc/apt/apt.conf.d/99mmdebstrap",
                     root / "etc/dpkg/dpkg.cfg.d/99mmdebstrap"]:
        leftover.unlink(missing_ok=True)


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
        write_file(root / "etc/apt/sources.list.d/tlsmatrix.sources", sources(job.run, job.d))
        write_file(root / "etc/apt/apt.conf.d/99tlsmatrix", APT_CONF)
        (root / "etc/dpkg/dpkg.cfg.d").mkdir(parents=True, exist_ok=True)
        write_file(root / "etc/dpkg/dpkg.cfg.d/99tlsmatrix", DPKG_CONF)
    src = root / f"etc/apt/sources.list.d/tlsmatrix-src-{job.name}.sources"
    if job.d.source_suites:
        write_file(src, source_sources(job.run, job.d))
    else:
        src.unlink(missing_ok=True)
    resolv = root / "etc/resolv.conf"
    if resolv.is_symlink() or resolv.exists():
        resolv.unlink()
    try:
        shutil.copyfile("/etc/resolv.conf", resolv)
    except OSError:
        pass
