"""One environment: its stages in order (root, packages, source build, peers, catalog), with
progress lines "[env] ..." and its failure report."""

from __future__ import annotations

import contextlib
import os
import shlex
import time
import traceback
from pathlib import Path

from . import catalog, packages, peers, root, source
from .commands import Log, Stopped, duration
from .context import ROOT_PATH, Failure, Run
from .definitions import HOST, OWN_ROOT, Definition


class Job:
    def __init__(self, run: Run, name: str, definition: Definition | None, nice: int):
        self.run = run
        self.name = name
        self.d = definition
        self.nice = nice  # 0 on the longest chain (a source build and its root), else 10
        self.log = Log(run.cache / name / "provision.log",
                       run.shown(run.cache / name / "provision.log"), run.children)
        self.fresh_root = False
        self.peer_dir = ""
        if definition is None:
            return
        self.def_file = run.shown(definition.file)
        if definition.root == HOST:
            self.kind, self.root_name, self.root_dir = "host", HOST, None
        else:
            self.kind = "owner" if definition.root == OWN_ROOT else "guest"
            self.root_name = definition.owner
            self.root_dir = run.cache / definition.owner / "root"

    # -- helpers for the stages ---------------------------------------------------------------

    def note(self, text: str) -> None:
        self.run.say(f"[{self.name}] {text}")

    @contextlib.contextmanager
    def step(self, label: str):
        """Prints LABEL, and the time it took when it succeeded."""
        t0 = time.monotonic()
        self.note(f"{label} ...")
        yield
        self.note(f"{label}: done ({duration(time.monotonic() - t0)})")

    def stamp(self, stage: str) -> Path:
        return self.root_dir / "tlsmatrix/stamps" / f"{self.name}.{stage}"

    def run_logged(self, argv: list[str], env: dict | None = None, nice: int | None = None,
                   shown: str | None = None) -> None:
        self.log.run(argv, shown=shown, env=env, nice=self.nice if nice is None else nice)

    def in_root_argv(self, argv: list[str], cwd: str | None = None, extra_env=()) -> list[str]:
        """ARGV inside the root with a clean environment (nothing from the caller leaks in)."""
        return ["chroot", str(self.root_dir), "/usr/bin/env", "-i",
                *(["-C", cwd] if cwd else []), f"PATH={ROOT_PATH}", "HOME=/root",
                "LANG=C.UTF-8", "DEBIAN_FRONTEND=noninteractive", *extra_env, *argv]

    def in_root(self, argv: list[str], cwd: str | None = None, extra_env=(),
                nice: int | None = None) -> None:
        where = f"(in the {self.root_name} root{', in ' + cwd if cwd else ''}) "
        self.run_logged(self.in_root_argv(argv, cwd, extra_env), nice=nice,
                        shown=where + shlex.join([*extra_env, *argv]))

    # -- the stages ---------------------------------------------------------------------------

    def stages(self) -> list[str]:
        d = self.d
        if self.kind == "host":
            packages.on_host(self)
        elif self.kind == "owner":
            self.fresh_root = root.make(self)
            root.ensure_devices(self)
            root.write_apt_config(self)
            packages.in_root(self)
            self.run.roots.settle(self.name, "ok")
        else:
            self.note(f"waiting for the root of environment {self.root_name}")
            state = self.run.roots.wait(self.root_name, lambda: self.run.children.stopping)
            if state == "stopped":
                raise Stopped()
            if state != "ok":
                raise Failure(f"root of environment {self.root_name}",
                              "not ready after an hour" if state == "timeout" else
                              "not available (see that environment's error)")
            root.write_apt_config(self)
            packages.in_root(self)
        if self.kind != "host":
            source.build(self)
        peers.build(self)
        found = catalog.probe(self)
        catalog.write(self.run.cache / self.name / "peers.catalog.json", found)
        return [p["id"] for p in found]


def provision(job: Job, load_error: str | None) -> tuple[bool, str]:
    """Runs JOB's stages; (True, "id id ...") or (False, "WHAT: WHY"). Nothing it mounted
    stays mounted, whatever happens."""
    t0 = time.monotonic()
    try:
        if load_error is not None:
            raise Failure("definition", load_error)
        d = job.d
        job.log.write(f"# {job.name}: {d.description} "
                      f"({time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())})\n")
        ids = job.stages()
        job.note(f"ready in {duration(time.monotonic() - t0)}: {' '.join(ids)}")
        return True, " ".join(ids)
    except Exception as e:
        if isinstance(e, Stopped) or job.run.children.stopping:
            what, why = "stopped", "the run was interrupted"
        elif isinstance(e, Failure):
            what, why = e.what, e.why
        else:
            what, why = "internal error", f"{type(e).__name__}: {e} (log: {job.log.shown})"
            job.log.write(traceback.format_exc())
        job.log.write(f"\n*** failed: {what}: {why}\n")
        if what != "stopped":  # an interrupted run leaves the last catalog as it was
            job.run.say(f"environment {job.name}: {what}: {why}", err=True)
            (job.run.cache / job.name / "peers.catalog.json").unlink(missing_ok=True)
        return False, f"{what}: {why}"
    finally:
        job.run.roots.settle(job.name, "failed")  # for those in its root; no-op after "ok"
        job.log.close()
