"""Config files by path or id: read and validate one file, find the files that define ids.

Builds on :mod:`skins.core.configio` (text, YAML and lines) and
:mod:`skins.core.validation` (a model checked with located errors).
"""

from __future__ import annotations

__all__ = ["index_ids", "load_model"]

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from skins.core.configio import parse_yaml, read_text
from skins.core.errors import ConfigError
from skins.core.validation import check_model

M = TypeVar("M", bound=BaseModel)


def load_model(cls: type[M], path: Path, what: str) -> M:
    """Read, parse and validate one config file."""
    data, index = parse_yaml(read_text(path), str(path))
    return check_model(cls, data, index, what)


def index_ids(dirs: Sequence[Path], marker: str) -> dict[str, Path]:
    """Map ``id`` -> file for every ``*.yaml``/``*.yml`` in ``dirs`` whose top level has ``marker``.

    Files that do not parse are skipped here; they raise when loaded by path.
    The first directory wins when two define the same id.
    """
    found: dict[str, Path] = {}
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            ident, keys = _head(path)
            if ident is not None and marker in keys:
                found.setdefault(ident, path)
    return found


_heads: dict[Path, tuple[tuple[int, int, int], str | None, frozenset[str]]] = {}
"""Parsed file heads, so a world with six roles does not parse every persona file six times."""


def _head(path: Path) -> tuple[str | None, frozenset[str]]:
    """A config file's top-level ``id`` and keys; cached until its mtime, size or inode change."""
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if path in _heads and _heads[path][0] == stamp:
            return _heads[path][1:]
        text = read_text(path)
        quick = _scan_head(text)
        if quick is not None:
            _heads[path] = (stamp, *quick)
            return quick
        data, _ = parse_yaml(text, str(path))
    except (OSError, ConfigError):
        return None, frozenset()
    ok = isinstance(data, Mapping) and isinstance(data.get("id"), str)
    _heads[path] = (
        stamp,
        data["id"] if ok else None,
        frozenset(k for k in data if isinstance(k, str)) if ok else frozenset(),
    )
    return _heads[path][1:]


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)", re.MULTILINE)
_PLAIN_ID = re.compile(r"^id:[ \t]*([\"']?)([a-z][a-z0-9_]*)\1[ \t]*(?:#.*)?$", re.MULTILINE)


def _scan_head(text: str) -> tuple[str, frozenset[str]] | None:
    """Top-level ``id`` and keys of a block-style YAML file read from its unindented lines, without
    parsing it (listing the built-in worlds would otherwise parse each one in full); None when the
    file is not that simple (no plain ``id:`` line, several documents), so the caller parses it."""
    found = _PLAIN_ID.findall(text)
    if len(found) != 1 or re.search(r"^(---|\.\.\.)", text, re.MULTILINE):
        return None
    return found[0][1], frozenset(_TOP_KEY.findall(text))
