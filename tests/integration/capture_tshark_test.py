#!/usr/bin/env python3
"""Captures that people can open: `tlsmatrix run --captures all` over a passing hybrid cell
(OpenSSL 3.6 from sid, X25519MLKEM768), a refused one (no common group) and a downgrade attempt
(supported_versions cut to TLS 1.2 by the relay's attacker: two TCP streams, the client's view
and the server's), then tshark reads
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
    "downgrade/sentinel-tls12/openssl*@sid->openssl*@sid": "downgrade",
}
TLS12 = 0x0303
SENTINEL_TLS12 = "444f574e47524401"  # RFC 8446 §4.1.3, the end of ServerHello.random


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


def downgrade_failures(cell: dict, rows: list[list[str]]) -> list[str]:
    """The attacked cell: the client's stream (10.0.0.1) carries the ClientHello the client sent
    (TLS 1.3 offered), the server's (10.0.0.3) the one the attacker passed on (TLS 1.2 only) and
    the server's TLS 1.2 ServerHello ending with the sentinel, as the matrix says."""
    out = []
    hellos = {(r[4], t) for r in rows for t in r[0].split(",") if t in ("1", "2")}
    client_hello = {src: {int(v, 0) for v in values([r], 1)} for r in rows
                    for src in [r[4]] if "1" in r[0].split(",")}
    if TLS13 not in client_hello.get("10.0.0.1", set()):
        out.append(f"{cell['id']}: the client's stream offers {client_hello.get('10.0.0.1')}")
    if client_hello.get("10.0.0.3") != {TLS12}:
        out.append(f"{cell['id']}: the server's stream offers {client_hello.get('10.0.0.3')}")
    randoms = [r[5] for r in rows if "2" in r[0].split(",") and r[5]]
    if not randoms or not all(r.replace(":", "").endswith(SENTINEL_TLS12) for r in randoms):
        out.append(f"{cell['id']}: ServerHello randoms {randoms} lack the TLS 1.2 sentinel")
    server_hellos = cell["wire"]["server_hellos"]
    if not server_hellos or server_hellos[0].get("downgrade_sentinel") != "tls1.2":
        out.append(f"{cell['id']}: the matrix's ServerHello {server_hellos} has no sentinel")
    if ("10.0.0.2", "2") not in hellos:
        out.append(f"{cell['id']}: no ServerHello in the capture ({sorted(hellos)})")
    alerts = {int(a) for a in values(rows, 3)}
    if 47 not in alerts:  # illegal_parameter, the client's answer to the sentinel
        out.append(f"{cell['id']}: tshark sees alerts {alerts}, not illegal_parameter")
    return out


def main() -> int:
    binary, source = Path(sys.argv[1]), Path(sys.argv[2])
    if shutil.which("tshark") is None:
        print("tshark is not installed (ci/install-deps installs it)")
        return 1
    failures = []
    with tempfile.TemporaryDirectory() as results:
        argv = [str(binary), "run", "--captures", "all", "--results", results,
                "--suite", "groups-hybrid", "--suite", "groups-classical", "--suite", "downgrade",
                "--fail-on", "never"]
        for pattern in CELLS:
            argv += ["--filter", pattern]
        subprocess.run(argv, check=True, cwd=source, capture_output=True)
        run = next(p for p in Path(results).iterdir() if p.is_dir())  # beside: history.sqlite
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
                                 "tls.alert_message.desc", "ip.src", "tls.handshake.random")
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
            elif cell["scenario"] == "sentinel-tls12":
                failures += downgrade_failures(cell, rows)
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
