#!/usr/bin/env python3
"""How fast report.html opens at scale, in Debian's headless Chromium: takes a real run's
matrix.json, widens it to PEERS peers (new peers are copies of the run's, each cell of a new
pair a copy of the same scenario's cell between the originals, renamed), writes its
report.html with `tlsmatrix report`, and times, over REPEAT page loads: opening the file until
the grids are drawn, unticking a status filter, and opening a cell's detail view (the first
one parses every cell's details). Prints the page size and the median of each.
Usage: bench/report_load.py TLSMATRIX_BINARY RUN-FOLDER-OR-MATRIX [--peers 20] [--repeat 3]"""
import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests/integration"))
from webdriver import Browser  # noqa: E402


def widen(matrix: dict, peers: int) -> dict:
    """`matrix` with `peers` peers: the first ones are the run's, the rest copies."""
    original = matrix["peers"]
    out = copy.copy(matrix)
    out["peers"] = list(original)
    source_of = {p["id"]: p["id"] for p in original}
    for n in range(len(original), peers):
        base = original[n % len(original)]
        clone = dict(base, id=f"{base['id']}-copy{n}", environment=f"{base['environment']}-copy{n}")
        out["peers"].append(clone)
        source_of[clone["id"]] = base["id"]
    by_key = {(c["suite"], c["scenario"], c["client"], c["server"]): c for c in matrix["cells"]}
    scenarios = sorted({(c["suite"], c["scenario"]) for c in matrix["cells"]})
    cells = []
    for suite, scenario in scenarios:
        for client in out["peers"]:
            for server in out["peers"]:
                cell = by_key.get((suite, scenario, source_of[client["id"]],
                                   source_of[server["id"]]))
                if cell is None:
                    continue
                cell = dict(cell, client=client["id"], server=server["id"],
                            id=f"{suite}/{scenario}/{client['id']}->{server['id']}")
                cells.append(cell)
    out["cells"] = cells
    totals = {"cells": len(cells), "unexpected": 0}
    for c in cells:
        totals[c["status"]] = totals.get(c["status"], 0) + 1
        totals["unexpected"] += c["match"] == "unexpected"
    out["totals"] = totals
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("run")
    parser.add_argument("--peers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = Path(args.run)
    matrix = json.loads((source / "matrix.json" if source.is_dir() else source).read_text())
    wide = widen(matrix, max(args.peers, len(matrix["peers"])))
    with tempfile.TemporaryDirectory(prefix="tlsmatrix-report-bench-") as tmp:
        run = Path(tmp)
        (run / "matrix.json").write_text(json.dumps(wide))
        begun = time.monotonic()
        subprocess.run([args.binary, "report", str(run)], check=True, capture_output=True)
        written_s = time.monotonic() - begun
        page = run / "report.html"
        loads, filters, details = [], [], []
        with Browser() as browser:
            for _ in range(args.repeat):
                browser.open("about:blank")
                begun = time.monotonic()
                browser.open(page.as_uri())
                browser.wait_for("return document.body.dataset.drawnMs;", "the grids", 300)
                loads.append(time.monotonic() - begun)
                begun = time.monotonic()
                browser.click('#f-status input[value="pass"]')
                browser.wait_for("return document.getElementById('shown').dataset.shown;",
                                 "the filtered grids")
                filters.append(time.monotonic() - begun)
                begun = time.monotonic()
                browser.click("a.m[data-cell]")
                browser.wait_for("return document.getElementById('detail').dataset.cell;",
                                 "the detail view", 300)
                details.append(time.monotonic() - begun)
        size = page.stat().st_size
    median = statistics.median
    print(f"report.html of {len(wide['peers'])} peers, {len(wide['cells'])} cells: "
          f"{size / 1e6:.1f} MB, written by `tlsmatrix report` in {written_s:.1f} s; in Chromium "
          f"(median of {args.repeat}): opened and drawn {median(loads):.2f} s, status filter "
          f"{median(filters):.2f} s, first detail view {median(details):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
