"""The source build stage: SOURCE_PACKAGE's upstream tarball fetched with apt-get source,
built and installed into SOURCE_PREFIX inside the root."""

from __future__ import annotations

import os
import re
import shutil

from .commands import CommandFailed
from .context import Failure, read_stamp, write_stamp


def natural(text: str):
    """Sort key comparing digit runs as numbers, like sort -V for tarball names."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", text)]


def build(job) -> None:
    d = job.d
    if not d.source_package:
        return
    root = job.root_dir
    stamp = job.stamp("source")
    if (read_stamp(stamp) == d.hash and not job.run.refresh
            and (root / d.source_prefix.lstrip("/") / "lib").is_dir()):
        job.note(f"source build: cached ({d.source_package} in {d.source_prefix})")
        return
    stamp.unlink(missing_ok=True)
    base = f"/tlsmatrix/{job.name}/source"
    download, tree = f"{base}/download", f"{base}/tree"
    shutil.rmtree(root / download.lstrip("/"), ignore_errors=True)
    (root / download.lstrip("/")).mkdir(parents=True)
    # apt-get source fails when Debian's packaging files are missing from the mirror, after
    # fetching the upstream tarball (checked against the signed Sources index): tolerated.
    why = ""
    try:
        with job.run.roots.apt_lock(root):
            job.in_root(["apt-get", "source", "--download-only", d.source_package], cwd=download)
    except CommandFailed as e:
        why = e.why
    package = d.source_package.split("=", 1)[0]
    tarballs = sorted((p.name for p in (root / download.lstrip("/")).glob(f"{package}_*.orig.tar.*")
                       if not p.name.endswith(".asc")), key=natural)
    if not tarballs:
        raise Failure(f"apt-get source {d.source_package}", why or "no upstream tarball was downloaded")
    tarball = tarballs[-1]
    job.note(f"source: {tarball}")
    label = tarball.split(".orig.tar.")[0]
    with job.step(f"source build {label} -> {d.source_prefix}"):
        compile_tarball(job, f"{download}/{tarball}", tree)
    write_stamp(stamp, d.hash)


def compile_tarball(job, tarball: str, tree: str) -> None:
    """Unpacks TARBALL into TREE (paths inside the root), then configure, make, make install."""
    d, root = job.d, job.root_dir
    name = tarball.rsplit("/", 1)[-1]
    shutil.rmtree(root / tree.lstrip("/"), ignore_errors=True)
    shutil.rmtree(root / d.source_prefix.lstrip("/"), ignore_errors=True)
    (root / tree.lstrip("/")).mkdir(parents=True)
    configure = ["./configure", f"--prefix={d.source_prefix}", "--disable-dependency-tracking",
                 *d.source_configure]
    if d.source_cppflags:
        configure.append(f"CPPFLAGS={' '.join(d.source_cppflags)}")

    def step(what: str, argv: list[str], cwd: str | None = None) -> None:
        try:
            job.in_root(argv, cwd=cwd)
        except CommandFailed as e:
            raise Failure(what, e.why) from None

    step(f"unpack {name}", ["tar", "-C", tree, "--strip-components=1", "-xf", tarball])
    if not os.access(root / tree.lstrip("/") / "configure", os.X_OK):
        step(f"autogen.sh of {name}", ["./autogen.sh"], cwd=tree)
    step(f"configure of {name}", configure, cwd=tree)
    step(f"make of {name}", ["make", "-C", tree, f"-j{job.run.nproc}"])
    step(f"make install of {name}", ["make", "-C", tree, "install"])
