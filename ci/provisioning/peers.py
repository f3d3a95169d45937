"""The peers stage: the peers-only CMake build, inside the root (the repository bind-mounted
read-only while it runs) or on the host. Configured when the definition changed; built on
every run, so source changes are picked up incrementally."""

from __future__ import annotations

import hashlib

from . import mounts
from .commands import CommandFailed
from .context import Failure, read_stamp, write_stamp


def build(job) -> None:
    d, run = job.d, job.run
    # Optimised like the default preset: without a build type CMake compiles with no -O at all,
    # and the peer driver's own work (JSON, wire reading) then costs more than some handshakes.
    args = ["-G", "Ninja", "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DTLSMATRIX_BUILD_RUNNER=OFF",
            "-DTLSMATRIX_BUILD_TESTS=OFF", f"-DTLSMATRIX_STACKS={';'.join(d.stacks)}"]
    env = []
    if d.source_prefix:
        args.append(f"-DCMAKE_BUILD_RPATH={d.source_prefix}/lib")
        env.append(f"PKG_CONFIG_PATH={d.source_prefix}/lib/pkgconfig:"
                   f"{d.source_prefix}/lib64/pkgconfig")
    args += d.cmake_args
    # Reconfigured when the definition or these arguments change.
    configured = f"{d.hash} {hashlib.sha256(' '.join(args).encode()).hexdigest()[:16]}"
    # Peer builds not on a source build's chain leave the cores to the ones that are.
    nice = min(19, job.nice + (0 if d.source_package else 10))

    if job.kind == "host":
        src, out = run.repo, run.cache / job.name / "build"
        stamp = run.cache / job.name / "stamps/configure"
        host = out

        def cmake(argv: list[str]) -> None:
            job.run_logged(["cmake", *argv], nice=nice)
    else:
        src, out = f"/tlsmatrix/{job.name}/src", f"/tlsmatrix/{job.name}/build"
        stamp = job.stamp("configure")
        host = job.root_dir / out.lstrip("/")

        def cmake(argv: list[str]) -> None:
            job.in_root(["cmake", *argv], extra_env=env, nice=nice)

    mount_point = None if job.kind == "host" else job.root_dir / src.lstrip("/")
    try:
        if mount_point is not None:
            try:
                mounts.bind_read_only(run.repo, mount_point)
            except RuntimeError as e:
                raise Failure("mount the source", str(e)) from None
        with job.step(f"peers ({' '.join(d.stacks)})"):
            if read_stamp(stamp) != configured or not (host / "CMakeCache.txt").is_file():
                stamp.unlink(missing_ok=True)
                try:
                    cmake(["-S", str(src), "-B", str(out), *args])
                except CommandFailed as e:
                    raise Failure("cmake configure", e.why) from None
                write_stamp(stamp, configured)
            try:
                cmake(["--build", str(out)])
            except CommandFailed as e:
                raise Failure("peer build", e.why) from None
    finally:
        if mount_point is not None:
            mounts.unmount_under(mount_point)
    job.peer_dir = f"{out}/peers"
