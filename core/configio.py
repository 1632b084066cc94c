"""Read YAML config files into pydantic models with file:line errors.

YAML is parsed with ruamel.yaml, which keeps the line of every node, so a
validation error on ``facts.battery_defect.truth`` can point at the line a
user has to edit; :mod:`skins.core.validation` turns pydantic's errors into
problems at those lines.
"""

from __future__ import annotations

__all__ = [
    "LineIndex",
    "Loc",
    "index_ids",
    "load_model",
    "missing_file",
    "parse_yaml",
    "problem",
    "read_text",
    "render_loc",
]

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from skins.core.errors import ConfigError, ConfigProblem, NotFoundError

Loc = tuple[str | int, ...]
"""A path into a document: mapping keys and list indexes."""

M = TypeVar("M", bound=BaseModel)
MAX_NODES = 100_000
"""More nodes than this (e.g. aliases expanding exponentially) is refused, not loaded."""


class LineIndex:
    """Maps a path in a parsed document to the 1-based line it was written on."""

    def __init__(self, source: str, lines: dict[Loc, int], int_keys: frozenset[Loc] = frozenset()) -> None:
        self.source = source
        self._lines = lines
        self.int_keys = int_keys
        """Paths whose last part is a mapping key that is a number, not a list index."""

    def line(self, loc: Sequence[str | int]) -> int | None:
        """The line of ``loc`` or of its closest ancestor that has one."""
        path = tuple(loc)
        while path and path not in self._lines:
            path = path[:-1]
        return self._lines.get(path)


def render_loc(loc: Sequence[str | int], int_keys: frozenset[Loc] = frozenset()) -> str:
    """``('facts', 'x', 'affirm', 0)`` -> ``facts.x.affirm[0]``; odd keys are quoted: ``cast['a b']``."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int) and tuple(loc[: i + 1]) not in int_keys:
            out += f"[{part}]"
        elif re.fullmatch(r"[\w-]+", str(part), re.ASCII):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{str(part)!r}]"
    return out


def problem(index: LineIndex, loc: Sequence[str | int], message: str) -> ConfigProblem:
    """A :class:`ConfigProblem` located at ``loc`` in the file ``index`` describes."""
    return ConfigProblem(index.source, index.line(loc), render_loc(loc, index.int_keys), message)


def read_text(path: Path) -> str:
    """The file's text, or a ConfigError that says why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(str(path), None, "", f"not UTF-8 text ({exc.reason})")]) from exc
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(path), None, "", f"cannot read file: {exc.strerror}")]) from exc


def missing_file(what: str, path: Path, builtin_ids: Iterable[str]) -> NotFoundError:
    """The error for a ``what`` file that does not exist: where it was looked for, and the ids."""
    folder = (path.parent if path.is_absolute() else Path.cwd() / path.parent).resolve()
    return NotFoundError(
        f"{what} file {str(path)!r} does not exist; searched {[str(folder)]}; "
        f"give an existing file or a built-in {what} id: {sorted(builtin_ids)}"
    )


def parse_yaml(text: str, source: str) -> tuple[Any, LineIndex]:
    """Parse YAML text into plain Python data plus the line of every node."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    flat = _Flattener(source)
    try:
        node = yaml.load(text)
        if isinstance(node, (CommentedMap, CommentedSeq)):
            flat.lines[()] = node.lc.line + 1
        data = flat.plain(node, ())
    except MarkedYAMLError as exc:
        raise ConfigError([_yaml_problem(exc, source)]) from exc
    except (YAMLError, ValueError, TypeError) as exc:
        # ruamel raises plain ValueError/TypeError for some malformed scalars
        # (e.g. out-of-range timestamps); they are still bad input, not bugs.
        raise ConfigError([ConfigProblem(source, None, "", f"invalid YAML: {exc}")]) from exc
    except RecursionError as exc:
        raise ConfigError([ConfigProblem(source, None, "", "document nests too deeply")]) from exc
    return data, LineIndex(source, flat.lines, frozenset(flat.int_keys))


def _yaml_problem(exc: MarkedYAMLError, source: str) -> ConfigProblem:
    mark = exc.problem_mark or exc.context_mark
    what = str(exc.problem or exc.context)
    if exc.problem and exc.context:
        started = exc.context_mark
        at = f" started on line {started.line + 1}" if started is not None else ""
        what += f" ({exc.context}{at})"
    if "\\t" in what:
        what += "; indent with spaces: YAML does not allow tabs"
    elif "duplicate key" in what:
        what += "; keep only one of them"
    col = f"column {mark.column + 1}: " if mark is not None else ""
    return ConfigProblem(source, mark.line + 1 if mark is not None else None, "", f"invalid YAML: {col}{what}")


class _Flattener:
    """Converts ruamel's round-trip containers to dict/list, recording each node's line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[Loc, int] = {}
        self.int_keys: set[Loc] = set()
        self.nodes = 0

    def plain(self, node: Any, loc: Loc) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            msg = f"document has more than {MAX_NODES} nodes (aliases expanding?); split or simplify it"
            raise ConfigError([ConfigProblem(self.source, None, "", msg)])
        if isinstance(node, CommentedMap):
            out: dict[Any, Any] = {}
            for key, value in node.items():
                k = _scalar(key) if isinstance(key, (str, int, float)) or key is None else str(key)
                child = (*loc, k if isinstance(k, (str, int)) else str(k))
                if isinstance(k, int):
                    self.int_keys.add(child)
                self._mark(child, node, key)
                out[k] = self.plain(value, child)
            return out
        if isinstance(node, CommentedSeq):
            for i in range(len(node)):
                self._mark((*loc, i), node, i)
            return [self.plain(value, (*loc, i)) for i, value in enumerate(node)]
        return _scalar(node)

    def _mark(self, loc: Loc, node: CommentedMap | CommentedSeq, key: Any) -> None:
        try:
            where = node.lc.key(key) if isinstance(node, CommentedMap) else node.lc.item(key)
            self.lines[loc] = where[0] + 1
        except (KeyError, TypeError, AttributeError, IndexError):
            pass  # merged (<<) keys and some complex keys have no recorded position


def _scalar(node: Any) -> Any:
    """Drop ruamel's scalar subclasses (ScalarString, ScalarInt, ScalarBoolean, ...)."""
    if isinstance(node, (bool, ScalarBoolean)):
        return bool(node)
    if isinstance(node, TaggedScalar):  # `!!str 3`, `!custom x`: the text as written
        return node.value
    for plain in (str, int, float):
        if isinstance(node, plain):
            return plain(node)
    return node


def load_model(cls: type[M], path: Path, what: str) -> M:
    from skins.core.validation import check_model  # validation builds on this module

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
