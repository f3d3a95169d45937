"""Environment definitions: peers/environments/<name>.toml, parsed with tomllib and checked."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

# Bump when a change in ci/provision must redo every stamped stage.
STAMP_FORMAT = 1

NAME_RE = re.compile(r"[a-z0-9][a-z0-9.-]*")

# key -> (type, default); lists are TOML arrays of strings.
KEYS: dict[str, tuple[type, object]] = {
    "name": (str, ""),
    "description": (str, ""),
    "root": (str, ""),
    "suite": (str, ""),
    "update_suites": (list, ()),
    "security_suites": (list, ()),
    "components": (list, ("main",)),
    "packages": (list, ()),
    "source_suites": (list, ()),
    "source_package": (str, ""),
    "source_prefix": (str, ""),
    "source_configure": (list, ()),
    "source_cppflags": (list, ()),
    "stacks": (list, ()),
    "id_suffix": (str, ""),
    "cmake_args": (list, ()),
}

# `root = "mmdebstrap"`: the environment has its own Debian root.
OWN_ROOT = "mmdebstrap"
HOST = "host"


class DefinitionError(Exception):
    """A definition that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Definition:
    name: str
    description: str
    root: str
    suite: str
    update_suites: tuple[str, ...]
    security_suites: tuple[str, ...]
    components: tuple[str, ...]
    packages: tuple[str, ...]
    source_suites: tuple[str, ...]
    source_package: str
    source_prefix: str
    source_configure: tuple[str, ...]
    source_cppflags: tuple[str, ...]
    stacks: tuple[str, ...]
    id_suffix: str
    cmake_args: tuple[str, ...]
    file: Path
    hash: str  # "<STAMP_FORMAT>:<sha256 of the file>", what the stamps hold

    @property
    def owner(self) -> str | None:
        """The environment whose root this one uses (None for the host)."""
        if self.root == HOST:
            return None
        return self.name if self.root == OWN_ROOT else self.root


def definition_file(defs_dir: Path, name: str) -> Path:
    return defs_dir / f"{name}.toml"


def all_names(defs_dir: Path) -> list[str]:
    return sorted(p.stem for p in defs_dir.glob("*.toml") if p.is_file())


def load(defs_dir: Path, name: str, repo: Path) -> Definition:
    """Reads and checks peers/environments/NAME.toml; raises DefinitionError."""
    file = definition_file(defs_dir, name)
    shown = file.relative_to(repo) if file.is_relative_to(repo) else file
    if not file.is_file():
        raise DefinitionError(f"no definition {shown}")
    content = file.read_bytes()
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise DefinitionError(f"{shown}: {e}") from None

    def bad(message: str) -> DefinitionError:
        return DefinitionError(f"{shown}: {message}")

    values: dict[str, object] = {}
    for key, value in data.items():
        if key not in KEYS:
            raise bad(f"unknown key {key!r} (known: {' '.join(KEYS)})")
        kind = KEYS[key][0]
        if kind is str and not isinstance(value, str):
            raise bad(f"{key} must be a string")
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise bad(f"{key} must be an array of strings")
            value = tuple(value)
        values[key] = value
    for key, (_, default) in KEYS.items():
        values.setdefault(key, default)
    d = Definition(**values, file=file,
                   hash=f"{STAMP_FORMAT}:{hashlib.sha256(content).hexdigest()}")

    if d.name != name:
        raise bad(f'name = "{d.name}" does not match the file name')
    if not NAME_RE.fullmatch(d.name):
        raise bad('name may only hold a-z, 0-9, "." and "-"')
    if not d.stacks:
        raise bad("stacks is empty")
    if d.root == "":
        raise bad("root is missing")
    if d.root == OWN_ROOT and not d.suite:
        raise bad(f'root = "{OWN_ROOT}" needs suite')
    if d.root not in (HOST, OWN_ROOT) and not definition_file(defs_dir, d.root).is_file():
        raise bad(f'root = "{d.root}" names no environment')
    if d.source_package and not d.source_prefix:
        raise bad("source_package needs source_prefix")
    if d.source_package and d.root == HOST:
        raise bad("source builds live in a root, not on the host")
    return d
