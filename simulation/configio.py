"""Read YAML config files into pydantic models with file:line errors.

YAML is parsed with ruamel.yaml, which keeps the line of every node, so a
validation error on ``facts.battery_defect.truth`` can point at the line a
user has to edit. Pydantic's errors are put in the document's own terms:
union-member tags leave the field path, only the errors of the union member
the user evidently meant are kept, and each message names the bad value and
what is allowed.
"""

from __future__ import annotations

__all__ = [
    "LineIndex",
    "Loc",
    "check_model",
    "index_ids",
    "load_model",
    "missing_file",
    "parse_yaml",
    "problem",
    "read_text",
    "render_loc",
]

import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from simulation.errors import ConfigError, ConfigProblem, NotFoundError

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


def check_model(cls: type[M], data: Any, index: LineIndex, what: str) -> M:
    """Validate ``data`` as ``cls``; turn pydantic errors into a located ConfigError."""
    if not isinstance(data, Mapping):
        got = "an empty document" if data is None else f"a {type(data).__name__}"
        msg = f"a {what} file must be a mapping of fields, got {got}; see `skins schema {what}`"
        raise ConfigError([ConfigProblem(index.source, index.line(()), "", msg)])
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        located = [_locate(cls, err) for err in exc.errors(include_url=False)]
        problems = list(dict.fromkeys(_problems(located, data, index)))
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0)) from exc


@dataclass(frozen=True)
class _Crossing:
    at: int
    """How many document parts lead to the union."""
    tag: str
    """The union member pydantic tried (class name, ``literal[...]``, or a ``kind`` value)."""
    union: Any


@dataclass(frozen=True)
class _Located:
    """One pydantic error in document terms."""

    err: ErrorDetails
    loc: Loc
    """Document path: no union tags, no ``[key]`` marker."""
    crossings: tuple[_Crossing, ...]
    owner: Any
    """The type holding ``loc[-1]`` (a model, for unknown and missing fields)."""
    tp: Any
    """The type expected at ``loc``."""
    key: bool
    """The error is about a mapping key, not its value."""


def _locate(cls: type[BaseModel], err: ErrorDetails) -> _Located:
    tp: Any = cls
    owner: Any = None
    doc: list[str | int] = []
    crossings: list[_Crossing] = []
    key = False
    for part in err["loc"]:
        members = _members(tp)
        if len(members) > 1:
            crossings.append(_Crossing(len(doc), str(part), tp))
            tp = next((m for m in members if _is_tag_of(str(part), m)), None)
        elif part == "[key]":
            key = True
        else:
            doc.append(part)
            owner, tp = tp, _child(tp, part)
    return _Located(err, tuple(doc), tuple(crossings), owner, tp, key)


def _problems(errors: list[_Located], data: Any, index: LineIndex) -> list[ConfigProblem]:
    """Report errors; at a union keep the one member the value fits, else list the forms allowed."""
    out: list[ConfigProblem] = []
    groups: dict[Loc, list[_Located]] = {}
    for e in errors:
        if e.crossings:
            groups.setdefault(e.loc[: e.crossings[0].at], []).append(e)
        else:
            out.append(problem(index, *_message(e)))
    for at, group in groups.items():
        score = {e.crossings[0].tag: 0 for e in group}
        for e in group:
            score[e.crossings[0].tag] += _misfit(e)
        best = [t for t in score if score[t] == min(score.values())]
        if len(best) == 1:
            rest = [replace(e, crossings=e.crossings[1:]) for e in group if e.crossings[0].tag == best[0]]
            out += _problems(rest, data, index)
        else:
            forms = [_describe(m) for m in _members(group[0].crossings[0].union)]
            allowed = ", ".join(forms[:-1]) + f" or {forms[-1]}"
            out.append(problem(index, at, f"got {_short(_value_at(data, at))}; expected {allowed}"))
    return out


def _misfit(e: _Located) -> int:
    """How badly the value's shape misses this union member: a different kind of value, or a field off."""
    at = e.crossings[0].at
    if len(e.loc) == at:
        return 100
    return 1 if len(e.loc) == at + 1 and e.err["type"] in ("missing", "extra_forbidden") else 0


_HINTS = {
    "bool_parsing": "; use true or false",
    "bool_type": "; use true or false",
    "float_parsing": "; use a number such as 0.5",
    "float_type": "; use a number such as 0.5",
    "int_parsing": "; use a whole number",
    "int_type": "; use a whole number",
    "int_from_float": "; use a whole number",
}


def _message(e: _Located) -> tuple[Loc, str]:
    err, kind = e.err, e.err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    name, got = (e.loc[-1] if e.loc else ""), _short(err["input"])
    if kind == "invalid_key":
        allowed = sorted(_fields(e.owner))
        return e.loc, f"key {got} is not a field name" + (f"; allowed fields are {allowed}" if allowed else "")
    if kind == "extra_forbidden":
        allowed = sorted(_fields(e.owner))
        return e.loc, f"unknown field {name!r}" + (f"; allowed fields are {allowed}" if allowed else "")
    if kind == "missing":
        return e.loc, _missing(e)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        disc = str(ctx.get("discriminator", "kind")).strip("'")
        tags = [a for m in _members(e.tp) if disc in _fields(m) for a in typing.get_args(_annotation(m, disc))]
        what = f"unknown {disc} {ctx['tag']!r}" if "tag" in ctx else f"required field {disc!r} is missing"
        return (*e.loc, disc), f"{what}; allowed {disc}s are {tags}"
    if kind == "literal_error":
        return e.loc, f"{got} is not allowed; choose one of {ctx.get('expected')}"
    text = str(err["msg"]).removeprefix("Value error, ")
    if e.key:
        return e.loc, f"key {got} is not allowed: {text}"
    if kind == "value_error" and (isinstance(err["input"], (Mapping, list)) or got in text):
        return e.loc, text  # the validator's message already names the value
    hint = _HINTS.get(kind, "")
    if kind in ("model_type", "model_attributes_type", "dict_type") and _fields(e.tp):
        hint = f"; write a mapping with fields {sorted(_fields(e.tp))}"
    return e.loc, f"{text} (got {got}){hint}"


def _missing(e: _Located) -> str:
    name = str(e.loc[-1]) if e.loc else ""
    required = [n for n, f in _model_fields(e.tp).items() if f.is_required()]
    example = f" (e.g. `{name}: {{{', '.join(f'{r}: ...' for r in required)}}}`)" if required else ""
    field = _model_fields(e.owner).get(name)
    desc = (field.description or "") if field is not None else ""
    desc = desc.strip().split("\n")[0].replace("``", "'").rstrip(".")
    return f"required field {name!r} is missing: set {render_loc(e.loc)}{example}" + (
        f" — {desc[:1].lower()}{desc[1:]}" if desc else ""
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        ok = isinstance(data, Mapping) and part in data
        ok = ok or (isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data))
        if not ok:
            return None
        data = data[part]
    return data


# --- walking the annotations of a model alongside an error location ---------------------------
def _strip(tp: Any) -> Any:
    """Drop ``Annotated`` and the ``None`` of an Optional with one other member."""
    members = _members(tp)
    return members[0] if len(members) == 1 else tp


def _members(tp: Any) -> list[Any]:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [_strip(a) for a in typing.get_args(tp) if a is not type(None)]
    return [] if tp is None else [tp]


def _model_fields(tp: Any) -> dict[str, Any]:
    """Field name or alias -> FieldInfo, for a model type; empty otherwise."""
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {f.alias or n: f for n, f in tp.model_fields.items()}
    return {}


def _fields(tp: Any) -> set[str]:
    return set(_model_fields(tp))


def _annotation(tp: Any, name: str) -> Any:
    field = _model_fields(tp).get(name)
    return None if field is None else field.annotation


def _child(tp: Any, part: str | int) -> Any:
    tp = _strip(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (list, tuple, set, frozenset) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return _annotation(tp, str(part))


def _is_tag_of(tag: str, member: Any) -> bool:
    """Whether pydantic's union tag ``tag`` names ``member``."""
    if _fields(member):
        return tag in (member.__name__, *typing.get_args(_annotation(member, "kind")))
    origin = typing.get_origin(member)
    name = "literal" if origin is Literal else str(getattr(origin or member, "__name__", ""))
    return tag == name or tag.startswith(f"{name}[")


def _describe(tp: Any) -> str:
    """How to write a value of type ``tp``, for a list of allowed forms."""
    fields = _model_fields(tp)
    if fields:
        required = [n for n, f in fields.items() if f.is_required()]
        return "{" + ", ".join(f"{r}: ..." for r in required) + "}" if required else f"a mapping of {sorted(fields)}"
    if typing.get_origin(tp) is Literal:
        return ", ".join(repr(a) for a in typing.get_args(tp))
    names = {list: "a list", dict: "a mapping", bool: "true or false", int: "a whole number", float: "a number"}
    return names.get(typing.get_origin(tp) or tp, "a string" if tp is str else str(tp))


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
        data, _ = parse_yaml(read_text(path), str(path))
    except (OSError, ConfigError):
        return None, frozenset()
    ok = isinstance(data, Mapping) and isinstance(data.get("id"), str)
    _heads[path] = (
        stamp,
        data["id"] if ok else None,
        frozenset(k for k in data if isinstance(k, str)) if ok else frozenset(),
    )
    return _heads[path][1:]
