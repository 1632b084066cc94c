"""Read YAML config files into pydantic models with file:line errors.

YAML is parsed with ruamel.yaml, which keeps the line of every node, so a
validation error on ``facts.battery_defect.truth`` can point at the line a
user has to edit.
"""

from __future__ import annotations

__all__ = ["LineIndex", "Loc", "check_model", "index_ids", "load_model", "parse_yaml", "problem", "read_text"]

import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from simulation.errors import ConfigError, ConfigProblem

Loc = tuple[str | int, ...]
"""A path into a document: mapping keys and list indexes."""

M = TypeVar("M", bound=BaseModel)


class LineIndex:
    """Maps a path in a parsed document to the 1-based line it was written on."""

    def __init__(self, source: str, lines: dict[Loc, int]) -> None:
        self.source = source
        self._lines = lines

    def line(self, loc: Sequence[str | int]) -> int | None:
        """The line of ``loc`` or of its closest ancestor that has one."""
        path = tuple(loc)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return self._lines.get((), None)


def render_loc(loc: Sequence[str | int]) -> str:
    """``('facts', 'x', 'affirm', 0)`` -> ``facts.x.affirm[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def problem(index: LineIndex, loc: Sequence[str | int], message: str) -> ConfigProblem:
    """A :class:`ConfigProblem` located at ``loc`` in the file ``index`` describes."""
    return ConfigProblem(index.source, index.line(loc), render_loc(loc), message)


def read_text(path: Path) -> str:
    """The file's text, or a ConfigError that says why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(str(path), None, "", f"not UTF-8 text ({exc.reason})")]) from exc
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(path), None, "", f"cannot read file: {exc.strerror}")]) from exc


def parse_yaml(text: str, source: str) -> tuple[Any, LineIndex]:
    """Parse YAML text into plain Python data plus the line of every node."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise ConfigError([ConfigProblem(source, line, "", f"invalid YAML: {what}")]) from exc
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        # ruamel raises plain ValueError/TypeError for some malformed scalars
        # (e.g. out-of-range timestamps); they are still bad input, not bugs.
        raise ConfigError([ConfigProblem(source, None, "", f"invalid YAML: {exc}")]) from exc
    lines: dict[Loc, int] = {}
    try:
        data = _plain(node, (), lines)
    except RecursionError as exc:
        raise ConfigError([ConfigProblem(source, None, "", "document nests too deeply")]) from exc
    return data, LineIndex(source, lines)


def _plain(node: Any, loc: Loc, lines: dict[Loc, int]) -> Any:
    """Convert ruamel's round-trip containers to dict/list, recording lines."""
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            child = (*loc, key if isinstance(key, (str, int)) else str(key))
            try:
                lines[child] = node.lc.key(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                pass
            out[key if isinstance(key, (str, int, float, bool)) or key is None else str(key)] = _plain(
                value, child, lines
            )
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            child = (*loc, i)
            try:
                lines[child] = node.lc.item(i)[0] + 1
            except (KeyError, TypeError, AttributeError, IndexError):
                pass
            items.append(_plain(value, child, lines))
        return items
    if isinstance(node, str):
        return str(node)  # drop ruamel's ScalarString subclasses
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def check_model(cls: type[M], data: Any, index: LineIndex, what: str) -> M:
    """Validate ``data`` as ``cls``; turn pydantic errors into a located ConfigError."""
    if not isinstance(data, Mapping):
        got = "an empty document" if data is None else f"a {type(data).__name__}"
        raise ConfigError(
            [ConfigProblem(index.source, index.line(()), "", f"a {what} file must be a mapping of fields, got {got}")]
        )
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_translate(cls, err, data, index) for err in exc.errors()]) from exc


def _translate(cls: type[BaseModel], err: Any, data: Any, index: LineIndex) -> ConfigProblem:
    # pydantic puts union-member tags ("action", "function-after[...]") into loc;
    # keep only the parts that exist in the document.
    loc = _doc_loc(tuple(p for p in err["loc"] if isinstance(p, (str, int))), data)
    value = err.get("input")
    shown = _short(value)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_fields(cls, tuple(err["loc"][:-1]))
        hint = f"; allowed fields are {sorted(allowed)}" if allowed else ""
        msg = f"unknown field '{loc[-1]}'{hint}"
    elif kind == "missing":
        msg = "required field is missing"
    else:
        msg = f"{err['msg']} (got {shown})"
    return problem(index, loc, msg)


def _doc_loc(loc: Loc, data: Any) -> Loc:
    """Drop the union tags pydantic puts into error locations (keep only real document keys)."""
    kept: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, Mapping) and part in node:
            kept.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            kept.append(part)
            node = node[part]
        elif i == len(loc) - 1:
            kept.append(part)  # a missing field: name it
    return tuple(kept)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _allowed_fields(cls: type[BaseModel], loc: Loc) -> set[str]:
    """Best effort: the field names of the model found at ``loc`` under ``cls``."""
    current: Any = cls
    for part in loc:
        current = _descend(current, part)
        if current is None:
            return set()
    names: set[str] = set()
    for m in _models_in(current):
        names |= {f.alias or name for name, f in m.model_fields.items()}
    return names


def _models_in(tp: Any) -> list[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[type[BaseModel]] = []
        for arg in typing.get_args(tp):
            found += _models_in(arg)
        return found
    return []


def _descend(tp: Any, part: str | int) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _descend(typing.get_args(tp)[0], part)
    if origin in (typing.Union, types.UnionType):
        for model in _models_in(tp):  # a discriminated-union tag such as 'action'
            kind = model.model_fields.get("kind")
            if kind is not None and typing.get_args(kind.annotation) == (part,):
                return model
        for arg in typing.get_args(tp):
            found = _descend(arg, part)
            if found is not None:
                return found
        return None
    if origin in (list, tuple, set, frozenset) and isinstance(part, int):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
        for name, f in tp.model_fields.items():
            if part in (name, f.alias):
                return f.annotation
        return None
    return None


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
            try:
                data, _ = parse_yaml(read_text(path), str(path))
            except ConfigError:
                continue
            if isinstance(data, Mapping) and marker in data and isinstance(data.get("id"), str):
                found.setdefault(data["id"], path)
    return found
