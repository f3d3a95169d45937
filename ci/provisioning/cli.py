"""ci/provision's command line: the environments to make, root (sudo), the lock, the jobs in
parallel, the combined catalog and the report."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import catalog, definitions, mirrors, mounts
from .commands import Children, duration
from .context import Run
from .definitions import DefinitionError
from .job import Job, provision

USAGE = """\
ci/provision [--jobs N] [--refresh] [ENV...]   provision ENV... (default: every environment)
ci/provision --list                           list the environments and their state

Provisions the stack environments defined in peers/environments/*.toml (see the README
there): Debian roots made with mmdebstrap, their packages, source builds, and the peers built
inside each, ending with .cache/environments/<env>/peers.catalog.json per environment and
.cache/environments/peers.catalog.json for all of them together.

Cached and idempotent: each stage leaves a stamp keyed on the definition file's content, so a
second run only re-runs the (incremental) peer builds and the capability probes. A failed
stage prints "environment NAME: <what failed>: <why>", the other environments carry on, and
the exit status is 1 with the failures listed at the end. Needs root (mmdebstrap, chroot,
mount); re-runs itself with `sudo -n` when that works without a password."""

PRESERVED_ENV = "TLSMATRIX_LAUNCHER,TLSMATRIX_MIRROR,TLSMATRIX_SECURITY_MIRROR"


class Interrupted(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def die(text: str) -> int:
    print(f"ci/provision: {text}", file=sys.stderr)
    return 2


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ci/provision", usage=argparse.SUPPRESS,
                                     description=USAGE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                        help="environments at a time (default: all)")
    parser.add_argument("--refresh", action="store_true",
                        help="also apt-get update + dist-upgrade, and fetch sources again")
    parser.add_argument("--list", action="store_true",
                        help="what is defined, what is provisioned, with the peer ids")
    parser.add_argument("--json", action="store_true",
                        help="with --list: the definitions as JSON, for tests")
    parser.add_argument("envs", nargs="*", metavar="ENV")
    args = parser.parse_args(argv)
    if args.jobs < 0:
        parser.error("--jobs needs a number")
    return args


def list_envs(repo: Path, defs_dir: Path, cache: Path) -> None:
    for name in definitions.all_names(defs_dir):
        try:
            d = definitions.load(defs_dir, name, repo)
        except DefinitionError as e:
            print(f"{name:<16} broken definition: {e}")
            continue
        path = cache / name / "peers.catalog.json"
        state = ("provisioned: " + " ".join(p.get("id", "?") for p in catalog.read(path))
                 if path.is_file() else "not provisioned")
        print(f"{name:<16} {'root=' + d.root:<16} {d.description}\n{'':17}{state}")


def list_envs_json(repo: Path, defs_dir: Path) -> None:
    """[{"name", "stacks"} or {"name", "error"}], one per definition file."""
    out = []
    for name in definitions.all_names(defs_dir):
        try:
            out.append({"name": name, "stacks": list(definitions.load(defs_dir, name, repo).stacks)})
        except DefinitionError as e:
            out.append({"name": name, "error": str(e)})
    json.dump(out, sys.stdout, indent=1)
    print()


def become_root(argv: list[str]) -> int | None:
    """None when already root; otherwise execs sudo or returns the exit status."""
    if os.geteuid() == 0:
        return None
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL).returncode == 0:
        print("ci/provision: needs root (mmdebstrap, chroot, mount); re-running with sudo",
              flush=True)
        self = str(Path(sys.argv[0]).resolve())
        os.execvp("sudo", ["sudo", "-n", f"--preserve-env={PRESERVED_ENV}", self, *argv])
    return die("needs root (mmdebstrap, chroot, mount): run it as root or with sudo")


def order_of(selected: list[str], owners: dict[str, str | None]) -> list[str]:
    """An environment that lives in another's root brings that one along; owners go first."""
    selected = list(dict.fromkeys(selected))
    for name in list(selected):
        owner = owners.get(name)
        if owner and owner != name and owner not in selected:
            print(f"ci/provision: {name} lives in the root of {owner}: provisioning {owner} too")
            selected.append(owner)
    first = [n for n in selected if owners.get(n) in (None, n)]
    return first + [n for n in selected if n not in first]


def ensure_mmdebstrap(state_dir: Path) -> None:
    if shutil.which("mmdebstrap"):
        return
    print("ci/provision: installing mmdebstrap", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    with open(state_dir / "host-apt.log", "w") as log:
        for argv in (["apt-get", "update", "-qq"],
                     ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "mmdebstrap"]):
            if subprocess.run(argv, env=env, stdout=log, stderr=subprocess.STDOUT).returncode:
                last = (state_dir / "host-apt.log").read_text().strip().splitlines()[-1:]
                print(f"ci/provision: cannot install mmdebstrap: {''.join(last)}", file=sys.stderr)
                return


def launcher() -> str:
    """Who runs the peers later decides how a root is entered: chroot needs root."""
    chosen = os.environ.get("TLSMATRIX_LAUNCHER", "")
    if not chosen:
        sudo_user = os.environ.get("SUDO_USER", "")
        chosen = "unshare" if sudo_user and sudo_user != "root" else "chroot"
    return chosen


def main(argv: list[str]) -> int:
    args = parse(argv)
    repo = Path(__file__).resolve().parent.parent.parent
    defs_dir = repo / "peers/environments"
    cache = repo / ".cache/environments"
    if args.list and args.json:
        list_envs_json(repo, defs_dir)
        return 0
    if args.list:
        list_envs(repo, defs_dir, cache)
        return 0
    status = become_root(argv)
    if status is not None:
        return status

    known = definitions.all_names(defs_dir)
    if not known:
        return die(f"no environment definitions in {defs_dir.relative_to(repo)}")
    for name in args.envs:
        if name not in known:
            return die(f"unknown environment '{name}' (known: {' '.join(known)})")
    loaded: dict[str, definitions.Definition] = {}
    errors: dict[str, str] = {}
    for name in known:
        try:
            loaded[name] = definitions.load(defs_dir, name, repo)
        except DefinitionError as e:
            errors[name] = str(e)
    owners = {n: d.owner for n, d in loaded.items()}
    order = order_of(args.envs or known, owners)
    mode = launcher()
    if mode not in ("chroot", "unshare"):
        return die("TLSMATRIX_LAUNCHER must be chroot or unshare")

    cache.mkdir(parents=True, exist_ok=True)
    lock = open(cache / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"ci/provision: waiting for another ci/provision to finish "
              f"(lock {(cache / '.lock').relative_to(repo)})", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    # What a ci/provision killed with SIGKILL left mounted (read-only) below the cache.
    mounts.unmount_under(cache)

    def interrupted(signum, _frame):
        raise Interrupted(128 + signum)

    # Every way of being asked to stop ends in the `finally` below, which unmounts.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)
    children = Children()
    state_dir = Path(tempfile.mkdtemp(prefix=".run.", dir=cache))
    t0 = time.monotonic()
    try:
        mirror, security_mirror = mirrors.find()
        run = Run(repo=repo, defs_dir=defs_dir, cache=cache, state_dir=state_dir, mirror=mirror,
                  security_mirror=security_mirror, launcher=mode, refresh=args.refresh,
                  children=children)
        for name in order:
            if name in loaded and owners[name] not in (None, name):
                run.guests.setdefault(owners[name], []).append(loaded[name])
        if any(owners.get(n) for n in order):
            ensure_mmdebstrap(state_dir)
        # A source build and the root it needs are the longest chain of a run from nothing:
        # those run at normal priority, every other one at nice 10 and fills the gaps.
        critical = set()
        for name in order:
            if name in loaded and loaded[name].source_package:
                critical |= {name, owners[name]}
        jobs = [Job(run, n, loaded.get(n), 0 if n in critical else 10) for n in order]
        print(f"ci/provision: {' '.join(order)} (logs: {cache.relative_to(repo)}/<env>/provision.log)",
              flush=True)
        with ThreadPoolExecutor(max_workers=args.jobs or len(jobs)) as pool:
            futures = [pool.submit(provision, job, errors.get(job.name)) for job in jobs]
            try:
                while not all(f.done() for f in futures):
                    time.sleep(0.2)
            except BaseException:
                children.stop()
                for f in futures:
                    f.cancel()
                raise
        results = {job.name: f.result() for job, f in zip(jobs, futures)}

        failures = [f"environment {name}: {why}" for name, (ok, why) in results.items() if not ok]
        everything = [peer for name in known for peer in catalog.read(cache / name / "peers.catalog.json")]
        catalog.write(cache / "peers.catalog.json", everything)
        print(f"ci/provision: finished in {duration(time.monotonic() - t0)}; all provisioned "
              f"peers: {(cache / 'peers.catalog.json').relative_to(repo)}", flush=True)
        if failures:
            print(f"ci/provision: {len(failures)} of {len(order)} environments failed:",
                  file=sys.stderr)
            for line in failures:
                print(f"  {line}", file=sys.stderr)
            return 1
        return 0
    except KeyboardInterrupt:
        return 130
    except Interrupted as e:
        return e.status
    finally:
        children.stop()
        mounts.unmount_under(cache)
        shutil.rmtree(state_dir, ignore_errors=True)
