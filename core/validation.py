"""Validate parsed config data as a pydantic model, with errors in the document's own terms.

Union-member tags leave the field path, only the errors of the union member
the user evidently meant are kept, and each message names the bad value and
what is allowed.
"""

from __future__ import annotations

__all__ = ["check_model"]

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from skins.core.configio import LineIndex, Loc, problem, render_loc
from skins.core.errors import ConfigError, ConfigProblem, did_you_mean

M = TypeVar("M", bound=BaseModel)


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
        hint = f"{did_you_mean(name, allowed)}; allowed fields are {allowed}" if allowed else ""
        return e.loc, f"unknown field {name!r}{hint}"
    if kind == "missing":
        return e.loc, _missing(e)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        disc = str(ctx.get("discriminator", "kind")).strip("'")
        tags = [a for m in _members(e.tp) if disc in _fields(m) for a in typing.get_args(_annotation(m, disc))]
        what = f"unknown {disc} {ctx['tag']!r}" if "tag" in ctx else f"required field {disc!r} is missing"
        return (*e.loc, disc), f"{what}{did_you_mean(ctx.get('tag', ''), tags)}; allowed {disc}s are {tags}"
    if kind == "literal_error":
        return e.loc, f"{got} is not allowed{_closest_literal(err['input'], e.tp)}; choose one of {ctx.get('expected')}"
    text = str(err["msg"]).removeprefix("Value error, ")
    if e.key:
        return e.loc, f"key {got} is not allowed: {text}"
    if kind == "value_error" and (isinstance(err["input"], (Mapping, list)) or got in text):
        return e.loc, text  # the validator's message already names the value
    hint = _HINTS.get(kind, "")
    if kind in ("model_type", "model_attributes_type", "dict_type") and _fields(e.tp):
        hint = f"; write a mapping with fields {sorted(_fields(e.tp))}"
    return e.loc, f"{text} (got {got}){hint}"


def _closest_literal(value: Any, tp: Any) -> str:
    """The did-you-mean of a string that is not one of a ``Literal``'s strings."""
    options = [a for m in _members(tp) if typing.get_origin(m) is Literal for a in typing.get_args(m)]
    return did_you_mean(value, options) if isinstance(value, str) else ""


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
        # a model with validators (a self-referencing one, ModelSpec, is wrapped once per level)
        wrapped = tag.startswith("function-") and tag.rstrip("]").endswith(f" {member.__name__}")
        return wrapped or tag in (member.__name__, *typing.get_args(_annotation(member, "kind")))
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
