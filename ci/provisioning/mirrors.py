"""The Debian mirror and security mirror, read from the host's own apt sources at run time
(deb822 .sources files first, then /etc/apt/sources.list); TLSMATRIX_MIRROR and
TLSMATRIX_SECURITY_MIRROR override."""

from __future__ import annotations

import os
import re
from pathlib import Path


def find(etc_apt: Path = Path("/etc/apt")) -> tuple[str, str]:
    """(mirror, security mirror); "" for one that was not found."""
    found = {"mirror": os.environ.get("TLSMATRIX_MIRROR", ""),
             "security": os.environ.get("TLSMATRIX_SECURITY_MIRROR", "")}

    def pick(types: str, uris: str, suites: str, enabled: str) -> None:
        if "deb" not in types.split() or enabled.strip() == "no" or not uris.split():
            return
        which = "security" if any(s.endswith("-security") for s in suites.split()) else "mirror"
        if not found[which]:
            found[which] = uris.split()[0]

    for file in sorted((etc_apt / "sources.list.d").glob("*.sources")):
        if not file.is_file():
            continue
        for stanza in re.split(r"\n\s*\n", file.read_text(errors="replace")):
            fields = {"types": "", "uris": "", "suites": "", "enabled": "yes"}
            for line in stanza.splitlines():
                key, colon, value = line.partition(":")
                if colon and not line[:1].isspace() and key.strip().lower() in fields:
                    fields[key.strip().lower()] = value
            pick(fields["types"], fields["uris"], fields["suites"], fields["enabled"])

    sources_list = etc_apt / "sources.list"
    if sources_list.is_file():
        for line in sources_list.read_text(errors="replace").splitlines():
            if not re.match(r"\s*deb\s", line):
                continue
            words = re.sub(r"\[[^]]*\]", "", line).split()  # deb [options] URI suite components...
            if len(words) >= 3:
                pick(words[0], words[1], words[2], "yes")
    return found["mirror"], found["security"]
