"""Config text with line numbers: read a file, parse its YAML, locate a path in it.

YAML is parsed with ruamel.yaml, which keeps the line of every node, so a
validation error on ``facts.battery_defect.truth`` can point at the line a
user has to edit. The bottom of config IO: :mod:`skins.core.validation` turns
pydantic's errors into problems at those lines, and :mod:`skins.core.loading`
reads and validates whole files.
"""

from __future__ import annotations

__all__ = [
    "LineIndex",
    "Loc",
    "missing_file",
    "parse_yaml",
    "problem",
    "read_text",
    "render_loc",
]

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from skins.core.errors import ConfigError, ConfigProblem, NotFoundError

Loc = tuple[str | int, ...]
"""A path into a document: mapping keys and list indexes."""

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
    except (YAMLError, ValueError, TypeError, NotImplementedError) as exc:
        # ruamel raises plain ValueError/TypeError for some malformed scalars (e.g. out-of-range
        # timestamps) and NotImplementedError for a comment where a block scalar's text should
        # start ("key: #" then indented text); they are still bad input, not bugs.
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
