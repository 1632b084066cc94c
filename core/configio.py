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
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, StreamMark, YAMLError
from ruamel.yaml.events import MappingStartEvent, SequenceStartEvent
from ruamel.yaml.scalarbool import ScalarBoolean

from skins.core.errors import ConfigError, ConfigProblem, NotFoundError
from skins.core.limits import MAX_CONFIG_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES, Limit

Loc = tuple[str | int, ...]
"""A path into a document: mapping keys and list indexes."""


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
    """The file's text, or a ConfigError that says why it cannot be read; a file larger than
    :data:`~skins.core.limits.MAX_CONFIG_BYTES` is refused before it is read (and a pipe or device
    is never read past it)."""
    limit = MAX_CONFIG_BYTES.value()
    try:
        size = path.stat().st_size
        if size > limit:
            raise _too_large(path, f"{size:,} bytes")
        with path.open(encoding="utf-8") as fh:
            text = fh.read(limit + 1)
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(str(path), None, "", f"not UTF-8 text ({exc.reason})")]) from exc
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(path), None, "", f"cannot read file: {exc.strerror}")]) from exc
    if len(text) > limit:
        raise _too_large(path, f"more than {limit:,} characters")
    return text


def _too_large(path: Path, size: str) -> ConfigError:
    why = f"file is too large to read as a config ({size}); {MAX_CONFIG_BYTES.advice()}"
    return ConfigError([ConfigProblem(str(path), None, "", why)])


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
    yaml.Composer = _BoundedComposer  # counts nodes and nesting as they are parsed: a huge file stops early
    flat = _Flattener(source)
    try:
        node = yaml.load(text)
        if isinstance(node, (CommentedMap, CommentedSeq)):
            flat.lines[()] = node.lc.line + 1
        data = flat.plain(node, ())
    except _Exceeded as exc:
        raise ConfigError([exc.problem(source)]) from None
    except MarkedYAMLError as exc:
        raise ConfigError([_yaml_problem(exc, source)]) from exc
    except (YAMLError, ValueError, TypeError, NotImplementedError) as exc:
        # ruamel raises plain ValueError/TypeError for some malformed scalars (e.g. out-of-range
        # timestamps) and NotImplementedError for a comment where a block scalar's text should
        # start ("key: #" then indented text); they are still bad input, not bugs.
        raise ConfigError([ConfigProblem(source, None, "", f"invalid YAML: {exc}")]) from exc
    except RecursionError as exc:
        raise ConfigError([ConfigProblem(source, None, "", "document nests too deeply to parse")]) from exc
    return data, LineIndex(source, flat.lines, frozenset(flat.int_keys))


class _Exceeded(Exception):
    """A document went past a :class:`Limit` while being parsed (at ``mark``, when known)."""

    def __init__(self, limit: Limit, what: str, mark: StreamMark | None) -> None:
        super().__init__(what)
        self.limit, self.what, self.mark = limit, what, mark

    def problem(self, source: str) -> ConfigProblem:
        at = f"column {self.mark.column + 1}: " if self.mark is not None else ""
        message = f"{at}{self.what}; set {self.limit.env} to raise the limit, or split or simplify the file"
        return ConfigProblem(source, self.mark.line + 1 if self.mark is not None else None, "", message)


class _BoundedComposer(Composer):
    """ruamel's composer, stopping as soon as a document has more nodes or deeper nesting than the
    limits allow (checked per parse event, so a 50 MB list stops after the first 100,000 items)."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.nodes = 0
        self.max_nodes = MAX_YAML_NODES.value()
        self.max_depth = MAX_YAML_DEPTH.value()

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            mark = self.parser.peek_event().start_mark
            raise _Exceeded(MAX_YAML_NODES, f"document has more than {self.max_nodes:,} nodes", mark)
        if self.depth >= self.max_depth and self.parser.check_event(SequenceStartEvent, MappingStartEvent):
            mark = self.parser.peek_event().start_mark
            raise _Exceeded(MAX_YAML_DEPTH, f"document nests too deeply (more than {self.max_depth} levels)", mark)
        return super().compose_node(parent, index)


_DUPLICATE = re.compile(r'found duplicate key "(.*?)" with value "', re.DOTALL)
"""ruamel's duplicate-key message, whose values (whole mappings, possibly) are left out of ours."""


def _yaml_problem(exc: MarkedYAMLError, source: str) -> ConfigProblem:
    mark = exc.problem_mark or exc.context_mark
    what = str(exc.problem or exc.context)
    started = exc.context_mark
    duplicate = _DUPLICATE.match(what)
    if duplicate is not None:
        key = duplicate[1] if len(duplicate[1]) <= 80 else duplicate[1][:77] + "..."
        at = f" in the mapping that starts on line {started.line + 1}" if started is not None else ""
        what = f'duplicate key "{key}"{at}; keep only one of them'
    elif exc.problem and exc.context:
        at = f" started on line {started.line + 1}" if started is not None else ""
        what += f" ({exc.context}{at})"
    if "\\t" in what:
        what += "; indent with spaces: YAML does not allow tabs"
    col = f"column {mark.column + 1}: " if mark is not None else ""
    return ConfigProblem(source, mark.line + 1 if mark is not None else None, "", f"invalid YAML: {col}{what}")


class _Flattener:
    """Converts ruamel's round-trip containers to dict/list, recording each node's line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[Loc, int] = {}
        self.int_keys: set[Loc] = set()
        self.nodes = 0
        self.max_nodes = MAX_YAML_NODES.value()
        self.max_depth = MAX_YAML_DEPTH.value()

    def plain(self, node: Any, loc: Loc) -> Any:
        """``node`` as plain data; aliases are expanded here, so their nodes and nesting count again."""
        self.nodes += 1
        if self.nodes > self.max_nodes:
            what = f"document has more than {self.max_nodes:,} nodes (aliases expanding?)"
            raise _Exceeded(MAX_YAML_NODES, what, None)
        if len(loc) > self.max_depth:
            raise _Exceeded(MAX_YAML_DEPTH, f"document nests too deeply (more than {self.max_depth} levels)", None)
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
