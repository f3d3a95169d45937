"""The catalog stage (each peer asked for its version with --capabilities; its id is
<stack>-<version>[-<ID_SUFFIX>]@<env>) and the catalog files, schema tlsmatrix-peer-catalog v2
(results/README.md): a peer of a root names that root, which the runner's peer jail chroots
to, and its command is a path inside it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .context import Failure

PROBE_TIMEOUT = 60


def launcher(job) -> list[str]:
    """The argv prefix that runs a program inside the job's root here, for the probe."""
    if job.kind == "host":
        return []
    if job.run.launcher == "unshare":
        return ["unshare", "--map-root-user", "--root", str(job.root_dir)]
    return ["chroot", str(job.root_dir)]


def probe(job) -> list[dict]:
    d = job.d
    peers = []
    for stack in d.stacks:
        peer = f"{job.peer_dir}/tlsmatrix-peer-{stack}"
        command = [*launcher(job), peer]
        rc, out = job.log.output([*command, "--capabilities"], timeout=PROBE_TIMEOUT)
        if rc != 0:
            raise Failure(f"{stack} peer", f"'{' '.join(command)} --capabilities' failed "
                                           f"(exit {rc}; log: {job.log.shown})")
        try:
            version = json.loads(out).get("version")
        except (ValueError, AttributeError):
            version = None
        if not isinstance(version, str) or not version:
            raise Failure(f"{stack} peer", f"--capabilities reported no version: {out[:160]}")
        if d.source_prefix:
            # The peer must load the library built here, not the packaged one.
            _, libs = job.log.output(job.in_root_argv(["ldd", peer]), timeout=PROBE_TIMEOUT)
            if f"=> {d.source_prefix}/" not in libs:
                line = next((l.strip() for l in libs.splitlines() if stack in l.lower()), "")
                raise Failure(f"{stack} peer", f"does not load its library from {d.source_prefix}: {line}")
        suffix = f"-{d.id_suffix}" if d.id_suffix else ""
        entry = {"id": f"{stack}-{version}{suffix}@{job.name}", "stack": stack,
                 "environment": job.name, "command": [peer]}
        if job.kind != "host":
            entry["root"] = str(job.root_dir)
        peers.append(entry)
    return peers


def write(path: Path, peers: list[dict]) -> None:
    """Written atomically: the runner may read it at any time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = path.with_name(path.name + ".new")
    with open(new, "w") as f:
        json.dump({"schema": "tlsmatrix-peer-catalog", "schema_version": 2, "peers": peers},
                  f, indent=2)
        f.write("\n")
    os.replace(new, path)


def read(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text())["peers"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
