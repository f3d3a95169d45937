#!/usr/bin/env python3
"""`tlsmatrix merge` against the run it stands for: the build's own host peers
(build/peers.catalog.json) over the suites baseline, downgrade and psk, once without shards and
once as 3 shards merged; the merged run must equal the unsharded one cell for cell, in
matrix.json's peers, suites, totals, defaults and security, in junit.xml's test cases and in
summary.md below its header, and be recorded in the run history. Then four refusals (a
missing shard, a shard given twice, shards of different N, shards of other --filter patterns): each must exit non-zero, name the
offending file and write no run folder. Python 3 standard library only.
Usage: merge_test.py TLSMATRIX_BINARY SOURCE_DIR"""
import json
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

SUITES = ("baseline", "downgrade", "psk")
SHARDS = 3

# What differs between two executions of the same cell, so it is left out of the comparison:
# - timings (wall_ms, client_handshake_ms, server_handshake_ms): durations measured on the
#   clock, never the same twice;
# - client_outcome.handshake_ms, server_outcome.handshake_ms (also in later_connections): each
#   peer's own measurement of the same;
# - harness.client_exit, harness.server_exit: a serving peer (peers/PROTOCOL.md, "Serving many
#   requests") reports "served request 812 (request 40 of its process)", numbers that depend on
#   which worker ran the cell and how many cells it ran before;
# - harness.logs: which log files exist follows the status (captures) and what a peer wrote to
#   stderr, whose text can hold ports and timings; the paths themselves are relative and the
#   test checks separately that every named file was copied and is the shard's byte for byte;
# - wire.client_to_server.total_bytes, wire.server_to_client.total_bytes (also in
#   later_connections): an ECDSA signature (ServerKeyExchange, CertificateVerify) is DER, whose
#   INTEGERs r and s lose leading zero bytes (RFC 3279 §2.2.3), so the bytes a side sends vary
#   by one or two from handshake to handshake (seen: 1007 and 1008 for one cell); which
#   messages, records and alerts went by stays compared.
# Everything else of a line (status, match, reason, expected, checks, observations, security,
# missing, the rest of wire, fact_sources, attack) must be equal.
PER_EXECUTION = [
    ("timings",),
    ("client_outcome", "handshake_ms"),
    ("server_outcome", "handshake_ms"),
    ("harness", "client_exit"),
    ("harness", "server_exit"),
    ("harness", "logs"),
    ("wire", "client_to_server", "total_bytes"),
    ("wire", "server_to_client", "total_bytes"),
]


def without_per_execution(cell: dict) -> dict:
    cell = json.loads(json.dumps(cell))  # a deep copy
    parts = [cell] + [c for c in cell.get("later_connections", [])]
    for path in PER_EXECUTION:
        for part in parts:
            node = part
            for key in path[:-1]:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, dict):
                node.pop(path[-1], None)
    return cell


def leaf_differences(a, b, path="$"):
    """Where two parsed lines differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from leaf_differences(a.get(key), b.get(key), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from leaf_differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: merged {json.dumps(a)[:200]}, unsharded {json.dumps(b)[:200]}"


class Failures:
    def __init__(self):
        self.items: list[str] = []
        self.passed: list[str] = []

    def equal(self, what: str, got, want) -> bool:
        if got == want:
            self.passed.append(what)
            return True
        self.items.append(f"{what}: merged {str(got)[:600]!r}\n    unsharded {str(want)[:600]!r}")
        return False

    def true(self, what: str, condition: bool, detail: str = "") -> bool:
        if condition:
            self.passed.append(what)
        else:
            self.items.append(f"{what}{': ' + detail if detail else ''}")
        return condition


def tlsmatrix(binary: Path, source: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *map(str, args)], cwd=source, capture_output=True,
                          text=True)


def run(binary: Path, source: Path, results: Path, history: Path, *extra: str) -> tuple[Path, int]:
    """`tlsmatrix run` into a fresh `results` folder; its run folder and exit status."""
    argv = ["run", "--only-catalogs", "--catalog", binary.parent / "peers.catalog.json",
            "--results", results, "--history", history, "-j", "2"]
    for suite in SUITES:
        argv += ["--suite", suite]
    done = tlsmatrix(binary, source, *argv, *extra)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"tlsmatrix {' '.join(map(str, argv + list(extra)))} exited "
                           f"{done.returncode}: {done.stderr[-2000:]}")
    folders = [p for p in results.iterdir() if p.is_dir()]
    if len(folders) != 1:
        raise RuntimeError(f"expected one run folder in {results}, found {folders}")
    return folders[0], done.returncode


def lines_by_id(folder: Path) -> dict[str, tuple[str, dict]]:
    out = {}
    for text in (folder / "cells.jsonl").read_text().splitlines():
        cell = json.loads(text)
        out[cell["id"]] = (text, cell)
    return out


def testcases(folder: Path) -> tuple[dict, list]:
    """junit.xml's counts per suite and its test cases, without times."""
    root = ET.parse(folder / "junit.xml").getroot()
    counts = {s.get("name"): {k: s.get(k) for k in ("tests", "failures", "errors", "skipped")}
              for s in root.iter("testsuite")}
    cases = []
    for case in root.iter("testcase"):
        children = [(c.tag, sorted((k, v) for k, v in c.attrib.items()), c.text)
                    for c in case]
        cases.append((case.get("classname"), case.get("name"), children))
    return counts, cases


def below_header(summary: str) -> str:
    """summary.md from its totals line on: above it are the run id, times, shard and jobs."""
    lines = summary.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("**"))
    return "\n".join(lines[start:])


def compare(f: Failures, merged: Path, unsharded: Path, shards: list[Path]) -> None:
    mine, theirs = lines_by_id(merged), lines_by_id(unsharded)
    f.equal("merged cell ids are the unsharded run's", sorted(mine), sorted(theirs))
    shard_lines = {}
    for shard in shards:
        for cell_id, (text, _) in lines_by_id(shard).items():
            shard_lines[cell_id] = (text, shard)
    differing = []
    for cell_id in sorted(set(mine) & set(theirs)):
        a, b = without_per_execution(mine[cell_id][1]), without_per_execution(theirs[cell_id][1])
        if a != b:
            differing.append(f"{cell_id}: {'; '.join(list(leaf_differences(a, b))[:5])}")
    f.true(f"{len(theirs)} cells equal to the unsharded run's (but per-execution fields)",
           not differing, "\n      ".join(differing[:10]))
    # Byte for byte the shards' lines, and their logs copied.
    changed = [i for i, (text, _) in mine.items() if shard_lines.get(i, (None,))[0] != text]
    f.true("every merged line is its shard's line byte for byte", not changed, str(changed[:5]))
    missing_logs = []
    for cell_id, (_, cell) in mine.items():
        for rel in cell["harness"]["logs"].values():
            source = shard_lines[cell_id][1] / rel
            if not (merged / rel).is_file() or (merged / rel).read_bytes() != source.read_bytes():
                missing_logs.append(rel)
    f.true("every log file a cell names is its shard's, copied", not missing_logs,
           str(missing_logs[:5]))
    copied = {p.name for p in (merged / "logs").iterdir()}
    named = {Path(rel).name for _, cell in mine.values() for rel in cell["harness"]["logs"].values()}
    f.equal("logs/ holds only the files the cells name", copied, named)

    m, u = (json.loads((d / "matrix.json").read_text()) for d in (merged, unsharded))
    for key in ("peers", "suites", "totals", "defaults", "security"):
        f.equal(f"matrix.json {key}", m[key], u[key])
    f.true("matrix.json cells are the lines' (but per-execution fields), sorted by id",
           [without_per_execution(c) for c in m["cells"]] ==
           [without_per_execution(c) for c in u["cells"]] and
           [c["id"] for c in m["cells"]] == sorted(mine))
    f.equal("matrix.json run.shard", m["run"]["shard"], "0/1")
    f.equal("matrix.json run.merged_from",
            [s["shard"] for s in m["run"].get("merged_from", [])],
            [f"{i}/{SHARDS}" for i in range(SHARDS)])
    f.equal("junit.xml counts and test cases (but times)", testcases(merged), testcases(unsharded))
    f.equal("summary.md below its header", below_header((merged / "summary.md").read_text()),
            below_header((unsharded / "summary.md").read_text()))
    f.equal("ci-summary.md below its header", below_header((merged / "ci-summary.md").read_text()),
            below_header((unsharded / "ci-summary.md").read_text()))


def refusals(f: Failures, binary: Path, source: Path, work: Path, shards: list[Path],
             other_n: Path, other_filter: Path) -> None:
    cases = [
        ("a missing shard", shards[:2], "shard 2/3 missing", shards[0] / "matrix.json"),
        ("a shard given twice", [shards[0], shards[1], shards[1], shards[2]],
         "given twice", shards[1] / "matrix.json"),
        ("shards of different N", shards + [other_n], "shard 0/2", other_n / "matrix.json"),
        ("shards of other --filter patterns", [other_n, other_filter], "other --filter patterns",
         other_filter / "matrix.json"),
    ]
    for number, (what, given, says, names) in enumerate(cases):
        results = work / f"refused-{number}"
        history = work / f"refused-{number}.sqlite"
        done = tlsmatrix(binary, source, "merge", *given, "--results", results, "--history",
                         history)
        f.true(f"refused, {what}: exit status {done.returncode} != 0", done.returncode != 0,
               done.stderr)
        f.true(f"refused, {what}: says '{says}'", says in done.stderr, done.stderr)
        f.true(f"refused, {what}: names {names}", str(names) in done.stderr, done.stderr)
        f.true(f"refused, {what}: no run folder written",
               not results.exists() or not any(results.iterdir()),
               str(list(results.iterdir())) if results.exists() else "")
        f.true(f"refused, {what}: nothing recorded", not history.exists())


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.rsplit("Usage: ", 1)[1])
        return 2
    binary, source = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    f = Failures()
    with tempfile.TemporaryDirectory(prefix="tlsmatrix-merge-") as tmp:
        work = Path(tmp)
        history = work / "history.sqlite"
        try:
            unsharded, unsharded_status = run(binary, source, work / "unsharded", history)
            shards = [run(binary, source, work / f"shard-{i}", history, "--shard",
                          f"{i}/{SHARDS}")[0] for i in range(SHARDS)]
            other_n = run(binary, source, work / "other-n", history, "--shard", "0/2",
                          "--filter", "baseline/*")[0]
            other_filter = run(binary, source, work / "other-filter", history, "--shard", "1/2",
                               "--filter", "baseline/tls13-*")[0]
        except (OSError, RuntimeError) as e:
            print(f"FAIL tlsmatrix run: {e}")
            return 1
        # Given in another order than 0..N-1: the merge orders them.
        done = tlsmatrix(binary, source, "merge", shards[2], shards[0], shards[1], "--results",
                         work / "merged", "--history", history)
        folders = [p for p in (work / "merged").iterdir()] if (work / "merged").exists() else []
        if not f.true("merge wrote one run folder", len(folders) == 1,
                      f"exit {done.returncode}: {done.stderr[-3000:]}"):
            for item in f.items:
                print("FAIL", item)
            return 1
        merged = folders[0]
        f.equal("merge exits as the unsharded run did", done.returncode, unsharded_status)
        compare(f, merged, unsharded, shards)
        with sqlite3.connect(history) as db:
            recorded = db.execute("SELECT count(*) FROM cells WHERE run_id = ?",
                                  (merged.name,)).fetchone()[0]
        f.equal("the merged run is in the run history with every cell", recorded,
                len(lines_by_id(unsharded)))
        refusals(f, binary, source, work, shards, other_n, other_filter)
    for p in f.passed:
        print("ok  ", p)
    for item in f.items:
        print("FAIL", item)
    print(f"{len(f.passed)} checks passed, {len(f.items)} failed")
    return 1 if f.items else 0


if __name__ == "__main__":
    sys.exit(main())
