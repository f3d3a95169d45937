"""The packages stage: PACKAGES installed into the root with the root's apt, or on the host
with the host's apt-get when missing."""

from __future__ import annotations

import os
import subprocess

from .commands import CommandFailed
from .context import Failure, read_stamp, write_stamp


def in_root(job) -> None:
    d = job.d
    stamp = job.stamp("packages")
    if read_stamp(stamp) == d.hash and (not job.run.refresh or job.fresh_root):
        job.note("packages: cached")
        return
    if not job.run.mirror:
        raise Failure("apt sources", "no Debian mirror found (set TLSMATRIX_MIRROR)")
    stamp.unlink(missing_ok=True)
    try:
        with job.step(f"packages ({len(d.packages)})"), job.run.roots.apt_lock(job.root_dir):
            job.in_root(["dpkg", "--configure", "-a"])
            job.in_root(["apt-get", "update"])
            if d.packages:
                job.in_root(["apt-get", "install", "-y", "--no-install-recommends", *d.packages])
            if job.run.refresh and job.kind == "owner":
                job.in_root(["apt-get", "-y", "dist-upgrade"])
    except CommandFailed as e:
        raise Failure(f"apt-get in the {job.root_name} root", e.why) from None
    write_stamp(stamp, d.hash)


def on_host(job) -> None:
    wanted = list(job.d.packages)
    listed = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Status}\n", *wanted],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    installed = {line.split("\t")[0] for line in listed.splitlines()
                 if line.endswith("install ok installed")}
    missing = [p for p in wanted if p not in installed]
    if not missing:
        job.note(f"packages: all {len(wanted)} present")
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        with job.step(f"packages: installing {' '.join(missing)}"):
            job.run_logged(["apt-get", "update", "-q"], env=env)
            job.run_logged(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                           env=env)
    except CommandFailed as e:
        raise Failure("apt-get on the host", e.why) from None
