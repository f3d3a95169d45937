#!/usr/bin/env python3
"""Captures that people can open: `tlsmatrix run --captures all` over a passing hybrid cell
(OpenSSL 3.6 from sid, X25519MLKEM768) and a refused one (no common group), then tshark reads
each cell's logs/CELL.pcap with its logs/CELL.keylog. tshark's view of the version, the group
and the alerts must equal the matrix's, and with the key log it must decrypt the TLS 1.3
handshake (it shows EncryptedExtensions). Needs ci/provision's environments and tshark (both
set up by ci/test). Usage: capture_tshark_test.py TLSMATRIX_BINARY SOURCE_DIR"""
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TLS13 = 0x0304
CELLS = {
    "groups-hybrid/x25519mlkem768-only/openssl*@sid->openssl*@sid": "pass",
    "groups-classical/no-common-group/openssl*@sid->openssl*@sid": "refused",
}


def tshark_fields(pcap: Path, keylog: Path, *fields: str) -> list[list[str]]:
    argv = ["tshark", "-n", "-r", str(pcap), "-Y", "tls", "-T", "fields", "-E", "separator=|"]
    if keylog.exists():
        argv += ["-o", f"tls.keylog_file:{keylog}"]
    for f in fields:
        argv += ["-e", f]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines()]


def values(rows: list[list[str]], column: int) -> list[str]:
    return [v for row in rows for v in row[column].split(",") if v]


def main() -> int:
    binary, source = Path(sys.argv[1]), Path(sys.argv[2])
    if shutil.which("tshark") is None:
        print("tshark is not installed (ci/install-deps installs it)")
        return 1
    failures = []
    with tempfile.TemporaryDirectory() as results:
        argv = [str(binary), "run", "--captures", "all", "--results", results,
                "--suite", "groups-hybrid", "--suite", "groups-classical", "--fail-on", "never"]
        for pattern in CELLS:
            argv += ["--filter", pattern]
        subprocess.run(argv, check=True, cwd=source, capture_output=True)
        run = next(Path(results).iterdir())
        matrix = json.loads((run / "matrix.json").read_text())
        cells = matrix["cells"]
        if len(cells) != len(CELLS):
            print(f"expected {len(CELLS)} cells, the run has {len(cells)}: is sid provisioned?")
            return 1
        for cell in cells:
            logs = cell["harness"]["logs"]
            if "capture" not in logs:
                failures.append(f"{cell['id']}: no capture kept")
                continue
            pcap, keylog = run / logs["capture"], run / logs.get("keylog", "none")
            rows = tshark_fields(pcap, keylog, "tls.handshake.type",
                                 "tls.handshake.extensions.supported_version",
                                 "tls.handshake.extensions_key_share_group",
                                 "tls.alert_message.desc")
            types = {int(t) for t in values(rows, 0)}
            wire = cell["wire"]
            if cell["status"] != "pass" and cell["scenario"] == "x25519mlkem768-only":
                failures.append(f"{cell['id']}: {cell['status']}: {cell['reason']}")
            if cell["scenario"] == "x25519mlkem768-only":
                # ServerHello (2): the version it selected and its key share's group.
                server_hello = [r for r in rows if "2" in r[0].split(",")]
                versions = {int(v, 0) for v in values(server_hello, 1)}
                groups = {int(g) for g in values(server_hello, 2)}
                if versions != {TLS13} or (wire["version"] or {}).get("code") != TLS13:
                    failures.append(f"{cell['id']}: tshark sees versions {versions}, the matrix "
                                    f"{wire['version']}")
                expected_group = (wire["group"] or {}).get("code")
                if expected_group not in groups:
                    failures.append(f"{cell['id']}: tshark sees key share groups {groups}, the "
                                    f"matrix group {expected_group}")
                if 8 not in types:  # EncryptedExtensions: only with the key log
                    failures.append(f"{cell['id']}: tshark did not decrypt the handshake "
                                    f"(handshake types {sorted(types)})")
            else:
                alerts = {int(a) for a in values(rows, 3)}
                matrix_alerts = {a["code"] for d in ("client_to_server", "server_to_client")
                                 for a in wire.get(d, {}).get("plaintext_alerts", [])}
                if not matrix_alerts or alerts != matrix_alerts:
                    failures.append(f"{cell['id']}: tshark sees alerts {alerts}, the matrix "
                                    f"{matrix_alerts}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(CELLS)} cells, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
