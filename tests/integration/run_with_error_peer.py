"""The run the integration tests of whole results share: `tlsmatrix run` over the build's peers
(build/peers.catalog.json) and a fixture peer that crashes (tests/fixtures/misbehaving_peer.sh),
every suite between the build's host peers plus one scenario with the fixture on either side,
so that every status, `error` included, and unexpected cells are in it."""
import json
import subprocess
from pathlib import Path

FIXTURE_PEER = "crash@fixture"


def run_with_error_peer(binary: Path, source: Path, work: Path,
                        token: str) -> tuple[Path, list[Path]]:
    """The run folder under work/runs and the catalogs it used; `token` names the fixture's
    processes (misbehaving_peer.sh). Raises RuntimeError when the run fails or writes other
    than one folder."""
    fixture = work / "fixture.catalog.json"
    fixture.write_text(json.dumps({
        "schema": "tlsmatrix-peer-catalog", "schema_version": 2,
        "peers": [{"id": FIXTURE_PEER, "stack": "fixture", "environment": "fixture",
                   "command": [str(source / "tests/fixtures/misbehaving_peer.sh"), "crash",
                               token]}]}))
    catalogs = [binary.parent / "peers.catalog.json", fixture]
    argv = [str(binary), "run", "--only-catalogs", "--results", str(work / "runs"),
            "--history", "", "--fail-on", "never", "--filter", "*@host->*@host",
            "--filter", f"baseline/tls13-ecdsa-p256/*{FIXTURE_PEER}*"]
    for c in catalogs:
        argv += ["--catalog", str(c)]
    done = subprocess.run(argv, cwd=source, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    runs = [p for p in (work / "runs").iterdir() if p.is_dir()]
    if len(runs) != 1:
        raise RuntimeError(f"expected one run folder, found {runs}")
    return runs[0], catalogs
