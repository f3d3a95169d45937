#!/usr/bin/env python3
"""`tlsmatrix check-peer` against real peers and against broken ones.

Every peer this build made (build/peers.catalog.json) must pass every check or skip it, exit 0;
so must tests/fixtures/broken_protocol_peer.py with `--defect none`. Then the fixture once per
defect it knows: check-peer must exit 1 and the check that enforces that part of
peers/PROTOCOL.md must FAIL with a message naming the defect. Also the output forms: one line
`PASS|FAIL|SKIP id: message` per check, and the same as JSON (--json).
Usage: check_peer_test.py TLSMATRIX_BINARY SOURCE_DIR BINARY_DIR"""
import concurrent.futures
import json
import re
import subprocess
import sys
from pathlib import Path

TIMEOUT_MS = 4000  # per step, for the fixture: a hang costs this much per step
# defect -> (the check that must FAIL, a regular expression its message must match)
EXPECTED = {
    "garbage-stdout": ("capabilities", r"printed a line that is not JSON: 'broken_protocol_peer starting'"),
    "missing-capability-field": ("capabilities", r"does not read as capabilities: 'groups' is missing"),
    "capabilities-protocol-5": ("capabilities", r'says "protocol": 5, not 6'),
    "help-exit-1": ("help", r"exit status 1"),
    "wrong-version-ignored": ("version-mismatch",
                              r"exit status 0, not exit status 2.*'result' \(connection 1, stage "
                              r"\"connect\".* where one 'error' event was due"),
    "version-error-unnamed": ("version-mismatch", r"does not name version 5 nor 6"),
    "crash-on-bad-json": ("malformed-not-json", r"signal 11 \(Segmentation fault\)"),
    "hang-on-bad-json": ("malformed-not-json",
                         rf"did not answer within {TIMEOUT_MS} ms \(its process group was killed\)"),
    "error-exit-0": ("unknown-config-key", r"it ended with exit status 0, not exit status 2"),
    "unknown-key-ignored": ("unknown-config-key", r"'result' \(.*\) where one 'error' event was due"),
    "no-refusal": ("refusal", r"the result does not refuse .*the peer went on with a setting it "
                              r"cannot honour"),
    "no-listening": ("handshake", r"the server sent 'result' \(stage connect\) without 'listening'"),
    "result-before-listening": ("handshake", r"the server sent 'result' before 'listening'"),
    "result-without-connection": ("handshake", r"sent a 'result' with \"connection\": null where 1 was due"),
    "serve-no-served": ("serve", r"0 'served' events for 2 requests"),
    "serve-no-request-echo": ("serve", r"carries \"request\": nothing while request 1 was being served"),
}
LINE = re.compile(r"^(PASS|FAIL|SKIP) [a-z-]+: \S")

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def check_peer(tlsmatrix, words, *options):
    """Runs check-peer with the peer's command as words after --; (exit status, JSON)."""
    run = subprocess.run([tlsmatrix, "check-peer", "--json", *options, "--", *words],
                         capture_output=True, text=True, timeout=600)
    try:
        return run.returncode, json.loads(run.stdout), run.stderr
    except ValueError:
        return run.returncode, None, run.stderr + run.stdout


def all_pass_or_skip(name, status, report, stderr, must_pass=()):
    if not check(report is not None, f"{name}: no JSON report: {stderr[-500:]}"):
        return
    bad = [c for c in report["checks"] if c["status"] not in ("pass", "skip")]
    check(not bad, f"{name}: checks that did not pass: " +
          "; ".join(f"{c['id']}: {c['message']}" for c in bad))
    check(status == 0, f"{name}: exit status {status}, expected 0")
    for check_id in must_pass:
        entry = [c for c in report["checks"] if c["id"] == check_id]
        check(entry and entry[0]["status"] == "pass",
              f"{name}: check {check_id} did not pass: {entry}")


def main():
    tlsmatrix, source, binary = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    fixture = str(source / "tests/fixtures/broken_protocol_peer.py")

    # The fixture's own list of defects: every one must be tested here.
    run = subprocess.run([fixture, "--defect", "?"], capture_output=True, text=True)
    known = set(run.stderr.split("known: ")[-1].strip().split(", ")) - {"none"}
    check(run.returncode == 64 and known == set(EXPECTED),
          f"the fixture's defects {sorted(known)} differ from this test's {sorted(EXPECTED)}")

    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        # Our own peers: default timeout, every check passes or is skipped.
        catalog = json.loads((binary / "peers.catalog.json").read_text())
        for peer in catalog["peers"]:
            jobs[pool.submit(check_peer, tlsmatrix, peer["command"])] = ("peer", peer["id"])
        jobs[pool.submit(check_peer, tlsmatrix, [fixture, "--defect", "none"],
                         "--timeout-ms", str(TIMEOUT_MS))] = ("fixture", "none")
        for defect in EXPECTED:
            jobs[pool.submit(check_peer, tlsmatrix, [fixture, "--defect", defect],
                             "--timeout-ms", str(TIMEOUT_MS))] = ("fixture", defect)
        for future in concurrent.futures.as_completed(jobs):
            kind, name = jobs[future]
            status, report, stderr = future.result()
            if kind == "peer":
                # Our peers serve, and each lacks some group: nothing may be skipped.
                all_pass_or_skip(f"peer {name}", status, report, stderr,
                                 must_pass=[c for c in ("capabilities", "help", "version-mismatch",
                                                        "malformed-not-json", "handshake", "serve")])
            elif name == "none":
                all_pass_or_skip("fixture --defect none", status, report, stderr,
                                 must_pass=("capabilities", "refusal", "handshake", "serve"))
            else:
                check_id, pattern = EXPECTED[name]
                if not check(report is not None, f"defect {name}: no JSON report: {stderr[-500:]}"):
                    continue
                check(status == 1, f"defect {name}: exit status {status}, expected 1")
                entry = [c for c in report["checks"] if c["id"] == check_id]
                if check(entry, f"defect {name}: no check {check_id}") and check(
                        entry[0]["status"] == "fail" and re.search(pattern, entry[0]["message"]),
                        f"defect {name}: check {check_id} is {entry[0]['status']}: "
                        f"{entry[0]['message']!r}, expected a FAIL matching {pattern!r}"):
                    print(f"defect {name}: {check_id} FAIL as expected", flush=True)

    # The text form, with the command given as one string split on whitespace.
    run = subprocess.run([tlsmatrix, "check-peer", "--timeout-ms", str(TIMEOUT_MS),
                          f"{fixture} --defect help-exit-1"],
                         capture_output=True, text=True, timeout=600)
    lines = run.stdout.splitlines()
    check(run.returncode == 1, f"text form: exit status {run.returncode}, expected 1")
    check(lines and all(LINE.match(line) for line in lines),
          f"text form: lines not of the form 'PASS|FAIL|SKIP id: message': {run.stdout!r}")
    check(any(line.startswith("FAIL help: sent PEER --help; got: ") and
              'PROTOCOL.md "Command line" requires usage text on stdout and exit status 0' in line
              for line in lines),
          f"text form: no FAIL line for help naming what was sent and what is required: {lines}")

    # A peer of a catalog by its id (--peer), and one of a provisioned environment, which runs
    # in its root, when there is one (ci/provision; .ci/run provisions before the tests).
    by_id = [("openssl@host", ["--only-catalogs", "--catalog", str(binary / "peers.catalog.json")])]
    environments = sorted((source / ".cache/environments").glob("*/peers.catalog.json"))
    rooted = [(p["id"], ["--only-catalogs", "--catalog", str(c)]) for c in environments
              for p in json.loads(c.read_text())["peers"] if p.get("root")][:1]
    if not rooted:
        print("no provisioned environment: no peer in a root checked", flush=True)
    for peer_id, catalogs in by_id + rooted:
        run = subprocess.run([tlsmatrix, "check-peer", "--json", "--peer", peer_id, *catalogs],
                             capture_output=True, text=True, timeout=600)
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            report = None
        if check(report is not None, f"--peer {peer_id}: no JSON report: {run.stderr[-500:]}"):
            all_pass_or_skip(f"--peer {peer_id}", run.returncode, report, run.stderr,
                             must_pass=("capabilities", "handshake", "serve"))
            print(f"--peer {peer_id}: root {report.get('root')}", flush=True)

    # A program that is not there: one error naming it, exit 2, no checks run.
    missing = str(source / "tests/fixtures/no-such-peer")
    run = subprocess.run([tlsmatrix, "check-peer", missing], capture_output=True, text=True,
                         timeout=60)
    check(run.returncode == 2 and missing in run.stderr and "not an executable file" in run.stderr
          and not run.stdout, f"missing program: exit {run.returncode}, stdout {run.stdout!r}, "
          f"stderr {run.stderr!r}; expected exit 2 naming it and no checks")

    for f in failures:
        print("FAILED:", f)
    print(f"{len(jobs) + 1} check-peer runs, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
