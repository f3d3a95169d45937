#!/usr/bin/env python3
"""report.html in a real browser: `tlsmatrix run` over the build's peers (every suite, plus a
fixture peer that crashes, so `error` and unexpected cells occur) writes report.html; Debian's
headless Chromium, driven through ChromeDriver, opens it from disk and the test checks through
the DOM, against the run's matrix.json:
  - the grid: a table per suite; every cell exactly once, in its suite's table, its client's row
    and its server's column, with its status's colour class and symbol (one symbol per status:
    readable without colour) and the unexpected marker exactly on the unexpected cells;
  - filters: unticking status `pass` leaves exactly the other cells; unticking a stack removes
    its peers' rows and columns; choosing a scenario leaves exactly its cells;
  - the detail view, opened by clicking a cell: id, status, match, reason, scenario title,
    one row per check, the attacker's mutations for an attacked cell, and links to its capture
    and logs that exist on disk;
and that `tlsmatrix report RUN` writes the same page again. It keeps a screenshot of the page
with a detail view open in ARTIFACT_DIR/report.png and prints the page's load time.
Usage: report_browser_test.py TLSMATRIX_BINARY SOURCE_DIR ARTIFACT_DIR"""
import json
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_with_error_peer import run_with_error_peer  # noqa: E402
from webdriver import Browser  # noqa: E402

MARKS = """return [...document.querySelectorAll('a.m[data-cell]')].map(a => [
  decodeURIComponent(a.getAttribute('href').slice('#cell='.length)), a.className, a.textContent,
  a.closest('tr').dataset.client, a.closest('td').dataset.server,
  a.closest('table').dataset.suite]);"""


class Failures(list):
    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.append(message)
        return ok


def check_grid(browser: Browser, matrix: dict, failures: Failures) -> dict:
    cells = {c["id"]: c for c in matrix["cells"]}
    tables = browser.script("return [...document.querySelectorAll('table.grid')]"
                            ".map(t => t.dataset.suite);")
    failures.check(tables == [s["id"] for s in matrix["suites"]],
                   f"grid tables {tables}, matrix.json's suites "
                   f"{[s['id'] for s in matrix['suites']]}")
    marks = browser.script(MARKS)
    seen = {}
    symbol_of = {}
    for cell_id, classes, text, client, server, suite in marks:
        classes = classes.split()
        cell = cells.get(cell_id)
        if not failures.check(cell is not None, f"a mark for {cell_id!r}, not a cell of the run"):
            continue
        failures.check(cell_id not in seen, f"{cell_id} shown twice")
        seen[cell_id] = True
        failures.check(f"s-{cell['status']}" in classes,
                       f"{cell_id}: status {cell['status']}, mark classes {classes}")
        failures.check(("u" in classes) == (cell["match"] == "unexpected"),
                       f"{cell_id}: match {cell['match']}, mark classes {classes}")
        failures.check((client, server, suite) == (cell["client"], cell["server"], cell["suite"]),
                       f"{cell_id}: in row {client}, column {server}, table {suite}")
        symbol_of.setdefault(cell["status"], set()).add(text)
    failures.check(len(seen) == len(cells), f"{len(seen)} of {len(cells)} cells have a mark")
    for status, symbols in symbol_of.items():
        failures.check(len(symbols) == 1, f"status {status} drawn as {sorted(symbols)}")
    flat = [next(iter(s)) for s in symbol_of.values()]
    failures.check(len(set(flat)) == len(flat), f"two statuses share a symbol: {symbol_of}")
    statuses = {c["status"] for c in matrix["cells"]}
    failures.check({"pass", "error", "unsupported"} <= statuses,
                   f"the run lacks a status the test needs: has {sorted(statuses)}")
    failures.check(any(c["match"] == "unexpected" for c in matrix["cells"]),
                   "the run has no unexpected cell (the fixture peer's should be)")
    return cells


def check_filters(browser: Browser, matrix: dict, failures: Failures) -> None:
    shown = lambda: {m[0] for m in browser.script(MARKS)}  # noqa: E731
    browser.click('#f-status input[value="pass"]')
    want = {c["id"] for c in matrix["cells"] if c["status"] != "pass"}
    got = shown()
    failures.check(got == want, f"status filter without pass: {len(got)} marks, "
                   f"{len(want)} non-passing cells; e.g. {sorted(got ^ want)[:3]}")
    failures.check(browser.script("return document.getElementById('shown').dataset.shown;")
                   == str(len(want)), "the 'cells shown' count is not the marks' count")
    browser.click('#f-status input[value="pass"]')
    browser.click('#f-stack input[value="gnutls"]')
    peers = browser.script("return [...document.querySelectorAll('[data-client],[data-server],"
                           "th.peer[data-peer]')].map(e => e.dataset.client || e.dataset.server "
                           "|| e.dataset.peer);")
    failures.check(peers and not any(p.startswith("gnutls") for p in peers),
                   "stack filter without gnutls still shows a gnutls row or column")
    want = {c["id"] for c in matrix["cells"]
            if not c["client"].startswith("gnutls") and not c["server"].startswith("gnutls")}
    failures.check(shown() == want, "stack filter without gnutls: marks differ from its cells")
    browser.click('#f-stack input[value="gnutls"]')
    scenario = "downgrade/" + next(s for s in matrix["suites"]
                                   if s["id"] == "downgrade")["scenarios"][0]["id"]
    browser.script("const s = document.getElementById('f-scenario');"
                   "s.value = [...s.options].find(o => o.textContent === arguments[0]).value;"
                   "s.dispatchEvent(new Event('change', {bubbles: true}));", scenario)
    want = {c["id"] for c in matrix["cells"] if f"{c['suite']}/{c['scenario']}" == scenario}
    failures.check(shown() == want, f"scenario filter {scenario}: marks differ from its cells")
    browser.script("const s = document.getElementById('f-scenario'); s.value = '';"
                   "s.dispatchEvent(new Event('change', {bubbles: true}));")
    failures.check(len(shown()) == len(matrix["cells"]), "clearing the filters left cells out")


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def open_detail(browser: Browser, cell: dict) -> dict:
    href = "#cell=" + urllib.parse.quote(cell["id"], safe="")
    # encodeURIComponent leaves !'()* as they are; quote() escapes them: compare decoded.
    index = browser.script(
        "const m = [...document.querySelectorAll('a.m[data-cell]')].find(a => "
        "decodeURIComponent(a.getAttribute('href').slice(6)) === arguments[0]);"
        "return m ? m.dataset.cell : null;", cell["id"])
    if index is None:
        raise AssertionError(f"no mark for {cell['id']} ({href})")
    # An open detail view covers the right of the page: close it (its own button) first.
    if browser.script("return document.getElementById('detail').classList.contains('open');"):
        browser.click("#detail button.close")
    browser.click(f'a.m[data-cell={css_string(index)}]')
    browser.wait_for("return document.getElementById('detail').classList.contains('open') && "
                     "document.getElementById('detail').dataset.cell;", "the detail view")
    return browser.script("""const d = document.getElementById('detail');
      const text = id => (document.getElementById(id) || {}).textContent;
      return {cell: d.dataset.cell, id: text('detail-id'), status: text('detail-status'),
              match: text('detail-match'), reason: text('detail-reason'),
              scenario: text('detail-scenario'),
              checks: document.querySelectorAll('#detail-checks tr').length - 1,
              links: [...document.querySelectorAll('#detail-links a')].map(
                 a => [a.textContent, a.href]),
              text: d.textContent};""")


def check_detail(browser: Browser, run: Path, matrix: dict, cell: dict,
                 failures: Failures) -> None:
    got = open_detail(browser, cell)
    where = f"detail of {cell['id']}"
    failures.check(got["cell"] == cell["id"] and got["id"] == cell["id"],
                   f"{where}: shows {got['id']}")
    failures.check(cell["status"] in got["status"], f"{where}: status {got['status']}")
    failures.check(got["match"] == cell["match"], f"{where}: match {got['match']}")
    failures.check(got["reason"] == cell["reason"], f"{where}: reason {got['reason']!r}")
    title = next(sc["title"] for s in matrix["suites"] if s["id"] == cell["suite"]
                 for sc in s["scenarios"] if sc["id"] == cell["scenario"])
    failures.check(title in got["scenario"], f"{where}: scenario {got['scenario']!r}")
    failures.check(got["checks"] == len(cell["checks"]),
                   f"{where}: {got['checks']} check rows, {len(cell['checks'])} checks")
    logs = cell["harness"]["logs"]
    links = dict(got["links"])
    failures.check(set(links) == set(logs), f"{where}: links {sorted(links)}, logs {sorted(logs)}")
    for name, url in links.items():
        path = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path))
        failures.check(path == (run / logs[name]).resolve() and path.is_file(),
                       f"{where}: link {name} -> {path}, not the file {run / logs[name]}")
    for attack in cell.get("attack") or []:
        failures.check(attack["mutation"] in got["text"],
                       f"{where}: the attacker's {attack['mutation']} is not shown")
    if cell.get("security"):
        failures.check(cell["security"]["text"] in got["text"], f"{where}: no security note")


def main() -> int:
    binary, source, artifacts = (Path(a).resolve() for a in sys.argv[1:4])
    artifacts.mkdir(parents=True, exist_ok=True)
    failures = Failures()
    with tempfile.TemporaryDirectory(prefix="tlsmatrix-report-") as tmp:
        work = Path(tmp)
        run, _ = run_with_error_peer(binary, source, work, "report-test")
        matrix = json.loads((run / "matrix.json").read_text())
        page = run / "report.html"
        again = work / "again.html"
        subprocess.run([str(binary), "report", str(run), "--output", str(again)], check=True,
                       cwd=source, capture_output=True)
        failures.check(again.read_bytes() == page.read_bytes(),
                       "`tlsmatrix report RUN` wrote another page than the run did")
        with Browser() as browser:
            begun = time.monotonic()
            browser.open(page.as_uri())
            drawn = browser.wait_for("return document.body.dataset.drawnMs;", "the grids")
            loaded_s = time.monotonic() - begun
            print(f"report.html: {page.stat().st_size} bytes, {len(matrix['cells'])} cells, "
                  f"{len(matrix['peers'])} peers; opened and drawn in {loaded_s:.2f} s "
                  f"(script {float(drawn):.0f} ms)")
            cells = check_grid(browser, matrix, failures)
            check_filters(browser, matrix, failures)
            errored = next(c for c in cells.values() if c["status"] == "error")
            check_detail(browser, run, matrix, errored, failures)
            attacked = next((c for c in cells.values() if c.get("attack")), None)
            if failures.check(attacked is not None, "the run has no attacked cell"):
                check_detail(browser, run, matrix, attacked, failures)
            captured = next((c for c in cells.values() if "capture" in c["harness"]["logs"]),
                            None)
            if failures.check(captured is not None, "the run has no cell with a capture"):
                check_detail(browser, run, matrix, captured, failures)
            passing = next(c for c in cells.values()
                           if c["status"] == "pass" and c.get("security"))
            check_detail(browser, run, matrix, passing, failures)
            browser.screenshot(artifacts / "report.png")
            print(f"screenshot: {artifacts / 'report.png'}")
    for f in failures:
        print("FAIL:", f)
    print("report.html in Chromium:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
