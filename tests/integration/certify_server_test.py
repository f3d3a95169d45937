#!/usr/bin/env python3
"""tlsmatrix certify --server: a running server the runner does not start.

The server is tests/fixtures/tls_echo_server.py, Python's ssl module on the host's OpenSSL with
its default settings but TLS 1.2..1.3, serving suites/pki/server-ecdsa-p256 and echoing application data (the
contract in peers/VENDORS.md, "A running server"). Checked:

- certify runs every reference peer of the build (build/peers.catalog.json) as client against
  it and nothing else, over exactly the scenarios the runner says a client drives: every
  scenario of the suites is either run or listed in certification.json's
  not_applicable_scenarios with a reason, never both; no PSK or resumption scenario runs.
- Each cell has the status of the same client against openssl@host (the build's peer for the
  same OpenSSL) in an ordinary run: with the server's side judged from the client and the wire
  alone, an honest verdict cannot differ. Also with --server-capabilities (openssl@host's own
  answer). Some cells must pass, or the comparison proves nothing.
- The profile verdicts follow the rule on those cells; the exit status follows the verdicts;
  matrix.json and certification.json are valid against their schemas (results/schema/).
- Over IPv6 loopback ([::1]:PORT) the cells are those over 127.0.0.1.
- Broken servers are not certified: one that garbles the echo (no handshake-success cell
  passes), one that stalls after accepting TCP (no cell passes; every reason says stalled,
  never refused).
- Bad input exits 2 naming it: nothing listening, a host name, --peer with --server, a
  capabilities file that is no JSON.

Usage: certify_server_test.py TLSMATRIX SOURCE_DIR BINARY_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from certification_rule import counted_cells, rule_verdict  # noqa: E402
from schema_test import Schemas, problems  # noqa: E402

REFERENCE_SERVER = "openssl@host"  # the build's peer on the OpenSSL Python's ssl module uses


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def only_run_folder(root):
    folders = [d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))]
    if len(folders) != 1:
        fail(f"expected one run folder in {root}, found {folders}")
    return os.path.join(root, folders[0])


class EchoServer:
    """tls_echo_server.py in one mode, on a kernel-chosen loopback port, until closed."""

    def __init__(self, source_dir, mode, host="127.0.0.1"):
        pki = os.path.join(source_dir, "suites", "pki")
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(source_dir, "tests", "fixtures", "tls_echo_server.py"),
             os.path.join(pki, "server-ecdsa-p256.crt"), os.path.join(pki, "server-ecdsa-p256.key"),
             "--mode", mode, "--host", host], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            self.close()
            fail(f"the {mode} echo server did not say its port: {line}")
        self.address = f"[{host}]:{line[1]}" if ":" in host else f"{host}:{line[1]}"

    def close(self):
        self.process.kill()
        self.process.wait()


def certify(tlsmatrix, source_dir, results, address, name, extra=()):
    return subprocess.run([tlsmatrix, "certify", "--server", address, "--name", name,
                           "--results", results, *extra],
                          cwd=source_dir, capture_output=True, text=True)


def cells_by_key(matrix):
    return {(c["suite"], c["scenario"], c["client"]): c for c in matrix["cells"]}


def check_against_ordinary(tmp, tag, proc, ordinary, schemas, vendor_id):
    """The honest-server run: its cells, scenarios, statuses, profiles and schema."""
    if proc.returncode not in (0, 1):
        fail(f"certify --server ({tag}) exited {proc.returncode}: {proc.stderr}")
    folder = only_run_folder(os.path.join(tmp, tag))
    matrix = load(os.path.join(folder, "matrix.json"))
    certification = load(os.path.join(folder, "certification.json"))
    for what, validator, doc in (("matrix.json", schemas.matrix, matrix),
                                 ("certification.json", schemas.certification, certification)):
        found = problems(validator, doc)
        if found:
            fail(f"{tag}: {what} is not valid against its schema: {found}")
    vendor = [p for p in matrix["peers"] if p["id"] == vendor_id]
    if len(vendor) != 1 or vendor[0]["command"] or not vendor[0].get("running_server"):
        fail(f"{tag}: the running server's peer entry is {vendor}")
    if certification["vendor"]["running_server"]["address"] != vendor[0]["running_server"]:
        fail(f"{tag}: certification.json names another address than matrix.json")

    references = sorted(p["id"] for p in ordinary["peers"])
    suites = {(s["id"], sc["id"]) for s in ordinary["suites"] for sc in s["scenarios"]}
    not_applicable = {(n["suite"], n["scenario"]): n["reason"]
                      for n in certification["not_applicable_scenarios"]}
    if any(not reason for reason in not_applicable.values()):
        fail(f"{tag}: a not-applicable scenario without a reason")
    ran = {(c["suite"], c["scenario"]) for c in matrix["cells"]}
    if ran & set(not_applicable):
        fail(f"{tag}: scenarios both run and not applicable: {sorted(ran & set(not_applicable))}")
    applicable = suites - set(not_applicable)
    want = {(suite, scenario, ref) for suite, scenario in applicable for ref in references}
    cells = cells_by_key(matrix)
    if set(cells) != want or any(c["server"] != vendor_id for c in matrix["cells"]):
        fail(f"{tag}: {len(cells)} cells, want {len(want)} (every reference client x "
             f"{len(applicable)} applicable scenarios against {vendor_id})")
    for suite in ("psk", "resumption"):
        if any(s == suite for s, _ in ran):
            fail(f"{tag}: a {suite} scenario ran against a running server")

    ordinary_cells = {(c["suite"], c["scenario"], c["client"]): c for c in ordinary["cells"]
                      if c["server"] == REFERENCE_SERVER}
    differ = []
    for key, c in cells.items():
        o = ordinary_cells[key]
        if c["server_outcome"] is not None:
            fail(f"{tag}: {c['id']} has a server outcome from a server that reports nothing")
        if c["status"] != o["status"]:
            differ.append(f"{c['id']}: {c['status']} ({c['reason']}) but {o['id']}: "
                          f"{o['status']} ({o['reason']})")
    if differ:
        fail(f"{tag}: {len(differ)} cells differ from the ordinary run:\n" + "\n".join(differ[:20]))
    passed = sum(c["status"] == "pass" for c in cells.values())
    if passed < len(references) * 5:
        fail(f"{tag}: only {passed} cells pass: the comparison would prove little")

    by_id = {c["id"]: c for c in matrix["cells"]}
    any_not_met = False
    for profile in certification["profiles"]:
        if sorted(c["id"] for c in profile["cells"]) != counted_cells(profile, by_id):
            fail(f"{tag}: profile {profile['id']} lists other cells than its scenarios'")
        rule, executed, failing = rule_verdict(
            profile, by_id, lambda cid: (by_id[cid]["status"], by_id[cid]["reason"]))
        if profile["verdict"] != rule:
            fail(f"{tag}: profile {profile['id']} is {profile['verdict']}, the rule gives {rule}")
        any_not_met = any_not_met or rule == "not_met"
    if certification["certified"] == any_not_met or (proc.returncode == 0) == any_not_met:
        fail(f"{tag}: certified {certification['certified']}, exit {proc.returncode}, but a "
             f"profile not met: {any_not_met}")
    print(f"{tag}: {len(cells)} cells ({passed} pass) equal the ordinary run's cells against "
          f"{REFERENCE_SERVER}; {len(not_applicable)} scenarios not applicable; certified "
          f"{certification['certified']}")
    return certification


def check_broken(tmp, tag, proc, vendor_id, must_not_pass, reason_has=None):
    if proc.returncode != 1:
        fail(f"certify of the {tag} server exited {proc.returncode}, want 1: {proc.stderr}")
    folder = only_run_folder(os.path.join(tmp, tag))
    matrix = load(os.path.join(folder, "matrix.json"))
    certification = load(os.path.join(folder, "certification.json"))
    if certification["certified"]:
        fail(f"the {tag} server was certified")
    judged = [c for c in matrix["cells"] if c["server"] == vendor_id and must_not_pass(c)]
    if not judged:
        fail(f"{tag}: no cell to judge")
    for c in judged:
        if c["status"] == "pass":
            fail(f"{tag}: {c['id']} passed: {c['reason']}")
        if reason_has and reason_has not in c["reason"]:
            fail(f"{tag}: {c['id']}: reason lacks '{reason_has}': {c['reason']}")
    print(f"{tag}: not certified; none of {len(judged)} cells passed")


def expects_success(cell):
    return any(k["fact"] == "handshake" and k["expected"] == ["success"] for k in cell["checks"])


def main():
    tlsmatrix, source_dir, binary_dir = sys.argv[1:4]
    catalog = os.path.join(binary_dir, "peers.catalog.json")
    openssl_peer = os.path.join(binary_dir, "peers", "tlsmatrix-peer-openssl")
    schemas = Schemas(Path(source_dir) / "results" / "schema")
    with tempfile.TemporaryDirectory() as tmp:
        common = ["--only-catalogs", "--catalog", catalog, "--probe-cache",
                  os.path.join(tmp, "cache"), "-j", "2"]
        run = subprocess.run([tlsmatrix, "run", *common, "--filter", f"*->{REFERENCE_SERVER}",
                              "--results", os.path.join(tmp, "ordinary"), "--history", "",
                              "--max-findings", "0"],
                             cwd=source_dir, capture_output=True, text=True)
        if run.returncode not in (0, 1):
            fail(f"tlsmatrix run exited {run.returncode}: {run.stderr}")
        ordinary = load(os.path.join(only_run_folder(os.path.join(tmp, "ordinary")),
                                     "matrix.json"))

        capabilities = os.path.join(tmp, "capabilities.json")
        with open(capabilities, "w", encoding="utf-8") as f:
            f.write(subprocess.run([openssl_peer, "--capabilities"], capture_output=True,
                                   text=True, check=True).stdout)
        server = EchoServer(source_dir, "echo")
        try:
            proc = certify(tlsmatrix, source_dir, os.path.join(tmp, "echo"), server.address,
                           "pyssl", common)
            check_against_ordinary(tmp, "echo", proc, ordinary, schemas, "pyssl@vendor")
            proc = certify(tlsmatrix, source_dir, os.path.join(tmp, "declared"), server.address,
                           "pyssl", [*common, "--server-capabilities", capabilities])
            c = check_against_ordinary(tmp, "declared", proc, ordinary, schemas, "pyssl@vendor")
            if not c["vendor"]["running_server"]["capabilities_declared"]:
                fail("declared: certification.json says the capabilities were not declared")
        finally:
            server.close()

        # IPv6 loopback: the same statuses for openssl@host's cells.
        server = EchoServer(source_dir, "echo", host="::1")
        try:
            proc = certify(tlsmatrix, source_dir, os.path.join(tmp, "ipv6"), server.address,
                           "pyssl6", [*common, "--reference", REFERENCE_SERVER])
            if proc.returncode not in (0, 1):
                fail(f"certify --server {server.address} exited {proc.returncode}: {proc.stderr}")
            six = load(os.path.join(only_run_folder(os.path.join(tmp, "ipv6")), "matrix.json"))
            want = {k: c["status"] for k, c in cells_by_key(load(os.path.join(
                only_run_folder(os.path.join(tmp, "echo")), "matrix.json"))).items()
                if k[2] == REFERENCE_SERVER}
            got = {k: c["status"] for k, c in cells_by_key(six).items()}
            if got != want or not any(s == "pass" for s in got.values()):
                fail(f"over [::1] the cells differ from 127.0.0.1's: "
                     f"{sorted(set(got.items()) ^ set(want.items()))[:10]}")
            print(f"ipv6: {len(got)} cells at {server.address}, as over 127.0.0.1")
        finally:
            server.close()

        for mode, must_not_pass, reason_has, timeout in (
                ("garble", expects_success, None, "20"),
                ("stall", lambda c: c["status"] != "unsupported", "stalled", "3")):
            server = EchoServer(source_dir, mode)
            try:
                proc = certify(tlsmatrix, source_dir, os.path.join(tmp, mode), server.address,
                               mode, [*common, "--reference", REFERENCE_SERVER,
                                      "--cell-timeout", timeout])
                check_broken(tmp, mode, proc, f"{mode}@vendor", must_not_pass, reason_has)
            finally:
                server.close()

        # Bad input: exit 2, naming what is wrong, before any run folder.
        not_json = os.path.join(tmp, "not.json")
        with open(not_json, "w", encoding="utf-8") as f:
            f.write("{")
        listener = EchoServer(source_dir, "echo")
        try:
            live = listener.address
            for args, names in (
                    (["--server", "127.0.0.1:1"], "nothing accepts connections"),
                    (["--server", "localhost:4433"], "not a name"),
                    (["--server", live, "--peer", openssl_peer], "--server"),
                    (["--server", live, "--server-capabilities", not_json], not_json),
                    (["--server", "127.0.0.1:70000"], "1..65535")):
                bad = subprocess.run([tlsmatrix, "certify", *args, *common, "--results",
                                      os.path.join(tmp, "bad")],
                                     cwd=source_dir, capture_output=True, text=True)
                if bad.returncode != 2 or names not in bad.stderr:
                    fail(f"certify {args} exited {bad.returncode}, want 2 naming '{names}': "
                         f"{bad.stderr}")
                if os.path.exists(os.path.join(tmp, "bad")):
                    fail(f"certify {args} made a run folder")
        finally:
            listener.close()
        print("bad input: 5 refusals, exit 2, each naming the problem")


if __name__ == "__main__":
    main()
