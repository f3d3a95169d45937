#!/usr/bin/env python3
"""tlsmatrix certify against an ordinary run over the same peers.

The build's OpenSSL peer is certified as if it were a vendor's (--name acme, so acme@vendor)
against the build's own peers (build/peers.catalog.json); an ordinary `tlsmatrix run` over the
same catalog is the reference. Checked: certify runs exactly the cells vendor x reference peer
in both roles (no vendor->vendor), each with the status of the ordinary run's openssl cell it
stands for; each profile's verdict is what the rule gives on the ordinary run's statuses (with
the expectations certify gives the vendor's cells, which never come from the vendor's side);
the exit status is 0 iff no profile is not met; the program's SHA-256 is hashlib's; the HTML
has no script; matrix.json and certification.json are valid against results/schema/. Every suite runs (the host-only matrix takes seconds).

Usage: certify_test.py TLSMATRIX SOURCE_DIR BINARY_DIR
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from certification_rule import counted_cells, rule_verdict  # noqa: E402
from schema_test import Schemas, problems  # noqa: E402


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def only_run_folder(root):
    folders = [d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))]
    if len(folders) != 1:
        fail(f"expected one run folder in {root}, found {folders}")
    return os.path.join(root, folders[0])


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def sources(cell):
    source = cell["expected"]["source"]
    return set(source.split("; ")) if source else set()


def main():
    tlsmatrix, source_dir, binary_dir = sys.argv[1:4]
    catalog = os.path.join(binary_dir, "peers.catalog.json")
    peer = os.path.join(binary_dir, "peers", "tlsmatrix-peer-openssl")
    if not os.path.exists(catalog) or not os.path.exists(peer):
        fail(f"the build made no {catalog} or {peer}")
    with tempfile.TemporaryDirectory() as tmp:
        common = ["--only-catalogs", "--catalog", catalog, "--probe-cache",
                  os.path.join(tmp, "cache"), "-j", "2"]
        ordinary_root = os.path.join(tmp, "ordinary")
        certify_root = os.path.join(tmp, "certify")
        run = subprocess.run([tlsmatrix, "run", *common, "--results", ordinary_root,
                              "--history", "", "--max-findings", "0"],
                             cwd=source_dir, capture_output=True, text=True)
        if run.returncode not in (0, 1):
            fail(f"tlsmatrix run exited {run.returncode}: {run.stderr}")
        cert = subprocess.run([tlsmatrix, "certify", "--peer", peer, "--name", "acme", *common,
                               "--results", certify_root],
                              cwd=source_dir, capture_output=True, text=True)
        if cert.returncode not in (0, 1):
            fail(f"tlsmatrix certify exited {cert.returncode}: {cert.stderr}")
        ordinary = load(os.path.join(only_run_folder(ordinary_root), "matrix.json"))
        folder = only_run_folder(certify_root)
        matrix = load(os.path.join(folder, "matrix.json"))
        certification = load(os.path.join(folder, "certification.json"))
        with open(os.path.join(folder, "certification.html"), encoding="utf-8") as f:
            html = f.read()
        if os.path.exists(os.path.join(certify_root, "history.sqlite")):
            fail("certify recorded the vendor's run in the history")

    # Both files as their schemas say (results/schema/).
    schemas = Schemas(Path(source_dir) / "results" / "schema")
    for what, validator, doc in (("matrix.json", schemas.matrix, matrix),
                                 ("certification.json", schemas.certification, certification)):
        found = problems(validator, doc)
        if found:
            fail(f"{what} is not valid against its schema: {found}")

    # What was certified.
    vendor = certification["vendor"]
    with open(peer, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if vendor["program_sha256"] != digest:
        fail(f"program_sha256 {vendor['program_sha256']} != hashlib's {digest}")
    if vendor["id"] != "acme@vendor" or vendor["program"] != os.path.abspath(peer):
        fail(f"vendor id/program: {vendor['id']} {vendor['program']}")
    if len(certification["suites"]["sha256"]) != 64 or not certification["date"].endswith("Z"):
        fail("no suite SHA-256 or UTC date")
    if "<script" in html.lower() or "acme@vendor" not in html:
        fail("certification.html has a script or does not name the vendor peer")

    # The openssl peer of the ordinary run: the same executable.
    openssl = [p for p in ordinary["peers"]
               if os.path.abspath(p["command"][0]) == os.path.abspath(peer)]
    if len(openssl) != 1:
        fail(f"the ordinary run has {len(openssl)} peers running {peer}")
    openssl_id = openssl[0]["id"]
    references = sorted(p["id"] for p in ordinary["peers"])
    if sorted(p["id"] for p in certification["reference_peers"]) != references:
        fail("certify's reference peers are not the ordinary run's peers")

    # Exactly the vendor x reference cells, in both roles.
    ordinary_cells = {c["id"]: c for c in ordinary["cells"]}
    scenarios = {(c["suite"], c["scenario"]) for c in ordinary["cells"]}
    want = set()
    for suite, scenario in scenarios:
        for ref in references:
            want.add(f"{suite}/{scenario}/acme@vendor->{ref}")
            want.add(f"{suite}/{scenario}/{ref}->acme@vendor")
    cells = {c["id"]: c for c in matrix["cells"]}
    if set(cells) != want:
        fail(f"certify ran {len(cells)} cells, want {len(want)}: missing "
             f"{sorted(want - set(cells))[:5]}, extra {sorted(set(cells) - want)[:5]}")

    # Cell for cell, the ordinary run's status; expectations only from the reference side.
    counterpart = {}
    differ = []
    for cid, c in cells.items():
        client = openssl_id if c["client"] == "acme@vendor" else c["client"]
        server = openssl_id if c["server"] == "acme@vendor" else c["server"]
        o = ordinary_cells[f"{c['suite']}/{c['scenario']}/{client}->{server}"]
        counterpart[cid] = o
        if c["status"] != o["status"]:
            differ.append(f"{cid}: {c['status']} ({c['reason']}) but {o['id']}: {o['status']} "
                          f"({o['reason']})")
        if not sources(c) <= sources(o):
            fail(f"{cid} is expected by {sources(c) - sources(o)}, which the ordinary cell "
                 "is not")
    if differ:
        fail(f"{len(differ)} cells differ from the ordinary run:\n" + "\n".join(differ[:20]))

    # Each profile's verdict: the rule on the ordinary run's statuses.
    any_not_met = False
    for profile in certification["profiles"]:
        counted = counted_cells(profile, cells)
        if sorted(c["id"] for c in profile["cells"]) != counted:
            fail(f"profile {profile['id']} lists other cells than its scenarios'")
        rule, executed, failing = rule_verdict(
            profile, cells, lambda cid: (counterpart[cid]["status"], counterpart[cid]["reason"]))
        if profile["verdict"] != rule:
            fail(f"profile {profile['id']}: certify says {profile['verdict']}, the rule on the "
                 f"ordinary run's cells gives {rule} ({executed} executed, {failing} failing)")
        if profile["counts"]["failing"] != failing:
            fail(f"profile {profile['id']}: {profile['counts']['failing']} failing cells listed, "
                 f"want {failing}")
        any_not_met = any_not_met or rule == "not_met"
        print(f"{profile['id']}: {rule} ({len(counted)} cells, {executed} executed, "
              f"{failing} not as expected)")
    if certification["certified"] == any_not_met or (cert.returncode == 0) == any_not_met:
        fail(f"certified {certification['certified']}, exit {cert.returncode}, but a profile "
             f"not met: {any_not_met}")
    print(f"certify: {len(cells)} cells equal the ordinary run's {openssl_id} cells; "
          f"certified {certification['certified']}, exit {cert.returncode}")


if __name__ == "__main__":
    main()
