#!/usr/bin/env python3
"""The JSON Schemas of results/schema/ (draft 2020-12) against what the real runner writes:
`tlsmatrix run` over the build's peers (every suite, plus a fixture peer that crashes, for
`error` cells) into a temporary folder, then its matrix.json, every line of its cells.jsonl
(the cell $def), the matrix.json of that run merged as its one shard (`tlsmatrix merge`), the
catalogs it used and every .cache/environments/*/peers.catalog.json, and results/baseline/ (the
trimmed form). It proves the schemas can fail too: mutated copies of the produced matrix, of a
cell line and of the baseline must each be rejected where the mutation is, and the catalog
fixtures of tests/fixtures/catalogs/ are accepted or rejected as the runner's loader does.
Needs python3-jsonschema (4.10 in Debian bookworm; later versions work too).
Usage: schema_test.py TLSMATRIX_BINARY SOURCE_DIR"""
import copy
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_with_error_peer import run_with_error_peer  # noqa: E402

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:
    Draft202012Validator = None

SCHEMAS = ("matrix", "trimmed-matrix", "peer-catalog", "certification")
SHOWN_ERRORS = 10  # per document
# Catalog fixtures the runner accepts (tests/unit/peer_catalog_test.cpp); it rejects the rest.
VALID_CATALOG_FIXTURES = {"chroot-prefix-v1.json", "root-v2.json"}


class Schemas:
    """The schema files, checked against the draft's metaschema, and validators that resolve
    their $refs to one another (RefResolver before jsonschema 4.18, a registry after)."""

    def __init__(self, folder: Path):
        self.docs = {}
        for name in SCHEMAS:
            doc = json.loads((folder / f"{name}.schema.json").read_text())
            Draft202012Validator.check_schema(doc)  # raises SchemaError, naming what is wrong
            self.docs[name] = doc
        self.matrix = self.validator(self.docs["matrix"])
        self.cell = self.validator({"$ref": self.docs["matrix"]["$id"] + "#/$defs/cell"})
        self.trimmed = self.validator(self.docs["trimmed-matrix"])
        self.catalog = self.validator(self.docs["peer-catalog"])
        self.certification = self.validator(self.docs["certification"])

    def validator(self, schema: dict):
        checker = Draft202012Validator.FORMAT_CHECKER
        try:
            from referencing import Registry, Resource
            registry = Registry().with_resources(
                (d["$id"], Resource.from_contents(d)) for d in self.docs.values())
            return Draft202012Validator(schema, registry=registry, format_checker=checker)
        except (ImportError, TypeError):  # jsonschema < 4.18
            store = {d["$id"]: d for d in self.docs.values()}
            resolver = jsonschema.RefResolver.from_schema(schema, store=store)
            return Draft202012Validator(schema, resolver=resolver, format_checker=checker)

    def for_matrix(self, doc) -> object:
        return self.trimmed if isinstance(doc, dict) and doc.get("trimmed") is True else self.matrix


def describe(error) -> str:
    """Where in the document and what is wrong. For a value that matches none of a oneOf's
    branches (most are "null or an object"), the deepest reason of the non-null branch."""
    while error.context:
        relevant = [e for e in error.context
                    if not (e.validator == "type" and e.validator_value == "null")]
        error = max(relevant or error.context, key=lambda e: len(e.absolute_path))
    message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
    return f"{error.json_path}: {message}"


def problems(validator, doc) -> list[str]:
    return [describe(e) for e in itertools.islice(validator.iter_errors(doc), SHOWN_ERRORS)]


class Report:
    def __init__(self):
        self.failures: list[str] = []
        self.validated: list[str] = []

    def check(self, what: str, validator, doc, note: str = "", quiet: bool = False) -> bool:
        """Validates `doc`; `quiet`: list only its failures (a line of many)."""
        found = problems(validator, doc)
        for p in found:
            self.failures.append(f"{what}: {p}")
        if not found and not quiet:
            self.validated.append(f"{what}{note}")
        return not found


def coverage(cells: list[dict]) -> str:
    """What the cells exercise of the schema, so a run that lost its variety shows."""
    counts = {status: 0 for status in ("pass", "deviation", "fail", "unsupported", "error")}
    for c in cells:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    shapes = {
        "later_connections": sum("later_connections" in c for c in cells),
        "attack": sum("attack" in c for c in cells),
        "missing": sum("missing" in c for c in cells),
        "security note": sum(c.get("security") is not None for c in cells),
        "no client outcome": sum(c.get("client_outcome") is None for c in cells),
        "check.connection": sum(any("connection" in k for k in c["checks"]) for c in cells),
        "check.from": sum(any("from" in k for k in c["checks"]) for c in cells),
        "reason_contains": sum("reason_contains" in c["expected"] for c in cells),
        "capture": sum("capture" in c["harness"]["logs"] for c in cells),
    }
    return ", ".join(f"{k} {v}" for k, v in {**counts, **shapes}.items())


def merge_run(binary: Path, source: Path, run: Path, results: Path) -> dict | str:
    """The run as the one shard of a run, merged: its matrix.json (with `run.merged_from`), or
    what went wrong."""
    argv = [str(binary), "merge", str(run), "--results", str(results / "merged"), "--history",
            "", "--fail-on", "never"]
    done = subprocess.run(argv, cwd=source, capture_output=True, text=True)
    folders = list((results / "merged").glob("*/matrix.json"))
    if done.returncode != 0 or len(folders) != 1:
        return f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}"
    return json.loads(folders[0].read_text())


def must_reject(report: Report, what: str, validator, doc, where: str) -> None:
    """`doc` is a valid document with one mutation at `where` (a JSON path): it must be
    rejected, and for a reason at or below that path."""
    found = problems(validator, doc)
    if not found:
        report.failures.append(f"mutation accepted: {what}")
    elif not any(p.startswith(where) for p in found):
        report.failures.append(f"mutation {what} rejected elsewhere than {where}: {found}")
    else:
        report.validated.append(f"rejected ({what}): {found[0]}")


def mutations(report: Report, schemas: Schemas, matrix: dict, cell_line: dict,
              baseline: dict | None) -> None:
    # A base of a few cells of each status (a valid matrix too: totals are not cross-checked),
    # so each copy is cheap.
    cells = []
    for status in ("pass", "unsupported", "error"):
        cells += [c for c in matrix["cells"] if c["status"] == status][:2]
    base = {**matrix, "cells": cells}
    lacking = {"pass", "unsupported", "error"} - {c["status"] for c in cells}
    if lacking:
        report.failures.append(f"the run has no {' and no '.join(sorted(lacking))} cell to mutate")
        return
    if not report.check("mutation base (the run's matrix.json, 6 of its cells)", schemas.matrix,
                        base):
        return

    def mutated(change):
        doc = copy.deepcopy(base)
        change(doc)
        return doc

    passing, unsupported, error = (next(i for i, c in enumerate(cells) if c["status"] == s)
                                   for s in ("pass", "unsupported", "error"))
    cases = [
        ("a cell with status \"maybe\"", f"$.cells[{passing}]",
         lambda d: d["cells"][passing].update(status="maybe")),
        ("a cell without id", f"$.cells[{passing}]",
         lambda d: d["cells"][passing].pop("id")),
        ("totals.cells a string", "$.totals.cells",
         lambda d: d["totals"].update(cells=str(d["totals"]["cells"]))),
        ("an unknown top-level key", "$", lambda d: d.update(results_dir="/tmp")),
        ("schema_version 6", "$.schema_version", lambda d: d.update(schema_version=6)),
        ("a client outcome with keylog (left out since schema 7)",
         f"$.cells[{passing}].client_outcome",
         lambda d: d["cells"][passing]["client_outcome"].update(keylog=["CLIENT_RANDOM x y"])),
        ("a passing cell with missing", f"$.cells[{passing}]",
         lambda d: d["cells"][passing].update(missing={"client": [], "server": []})),
        ("an unsupported cell without missing", f"$.cells[{unsupported}]",
         lambda d: d["cells"][unsupported].pop("missing")),
        ("an error cell matching its expectation", f"$.cells[{error}].match",
         lambda d: d["cells"][error].update(match="expected")),
        ("a check with on_mismatch \"warn\"", f"$.cells[{passing}].checks[0].on_mismatch",
         lambda d: d["cells"][passing]["checks"][0].update(on_mismatch="warn")),
    ]
    for what, where, change in cases:
        must_reject(report, f"matrix.json: {what}", schemas.matrix, mutated(change), where)

    line = copy.deepcopy(cell_line)
    line["expected"]["status"] = "error"
    must_reject(report, "cells.jsonl line: expected status error", schemas.cell, line,
                "$.expected.status")
    if baseline is not None:
        trimmed = {**baseline, "cells": copy.deepcopy(baseline["cells"][:3])}
        trimmed["cells"][0]["wire"] = None
        must_reject(report, "baseline: a cell with wire (not kept by the trim)", schemas.trimmed,
                    trimmed, "$.cells[0]")


def catalog_fixtures(report: Report, schemas: Schemas, folder: Path) -> None:
    """The schema accepts and rejects the runner's catalog fixtures as the runner does."""
    for path in sorted(folder.glob("*.json")):
        found = problems(schemas.catalog, json.loads(path.read_text()))
        valid = path.name in VALID_CATALOG_FIXTURES
        if valid and found:
            report.failures.append(f"{path}: the runner reads it, the schema rejects it: {found}")
        elif not valid and not found:
            report.failures.append(f"{path}: the runner rejects it, the schema accepts it")
        else:
            report.validated.append(
                f"{path.name}: {'accepted' if valid else 'rejected: ' + found[0]}, as the runner")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.rsplit("Usage: ", 1)[1])
        return 2
    binary, source = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    if Draft202012Validator is None:
        print("python3-jsonschema is not installed (ci/debian-packages.txt)")
        return 1
    start = time.monotonic()
    try:
        schemas = Schemas(source / "results/schema")
    except jsonschema.SchemaError as e:
        print(f"FAIL a schema of results/schema/ is no valid draft 2020-12 schema: {describe(e)}")
        return 1
    report = Report()
    with tempfile.TemporaryDirectory(prefix="tlsmatrix-schema-") as results:
        try:
            run, catalogs = run_with_error_peer(binary, source, Path(results), "schema-test")
        except (OSError, RuntimeError) as e:
            print(f"FAIL tlsmatrix run: {e}")
            return 1
        ran = time.monotonic()
        matrix = json.loads((run / "matrix.json").read_text())
        cells = matrix.get("cells", [])
        report.check("matrix.json of the run", schemas.matrix, matrix,
                     f" ({len(cells)} cells: {coverage(cells)})")
        lines = (run / "cells.jsonl").read_text().splitlines()
        bad_lines = 0
        for number, text in enumerate(lines, 1):
            bad_lines += not report.check(f"cells.jsonl line {number}", schemas.cell,
                                          json.loads(text), quiet=True)
            if bad_lines == SHOWN_ERRORS:
                break
        if not bad_lines:
            report.validated.append(f"cells.jsonl of the run ({len(lines)} lines, each a cell)")
        for catalog in catalogs:
            report.check(f"catalog {catalog}", schemas.catalog, json.loads(catalog.read_text()))
        merged = merge_run(binary, source, run, Path(results))
        if isinstance(merged, str):
            report.failures.append(merged)
        else:
            report.check("matrix.json of the run merged (`tlsmatrix merge`, one shard 0/1)",
                         schemas.matrix, merged,
                         f" (run.merged_from {merged['run'].get('merged_from')})")
        first_line = json.loads(lines[0]) if lines else {}
    for catalog in sorted((source / ".cache/environments").glob("*/peers.catalog.json")):
        report.check(f"catalog {catalog.relative_to(source)}", schemas.catalog,
                     json.loads(catalog.read_text()))
    baseline = None
    for path in sorted((source / "results/baseline").glob("*.json")):
        doc = json.loads(path.read_text())
        validator = schemas.for_matrix(doc)
        kind = "trimmed matrix" if validator is schemas.trimmed else "matrix"
        if report.check(f"{path.relative_to(source)} ({kind})", validator, doc,
                        f" ({len(doc.get('cells', []))} cells, schema_version "
                        f"{doc.get('schema_version')})") and validator is schemas.trimmed:
            baseline = doc
    mutations(report, schemas, matrix, first_line, baseline)
    catalog_fixtures(report, schemas, source / "tests/fixtures/catalogs")

    for v in report.validated:
        print("ok  ", v)
    for f in report.failures:
        print("FAIL", f)
    print(f"{len(report.validated)} checks passed, {len(report.failures)} failed "
          f"(jsonschema {version()}; run {ran - start:.1f} s, validation "
          f"{time.monotonic() - ran:.1f} s)")
    return 1 if report.failures else 0


def version() -> str:
    try:
        from importlib.metadata import version as installed
        return installed("jsonschema")
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
