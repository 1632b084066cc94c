"""JSON inside a model's reply: find the object among code fences and prose, parse it into a pydantic model.

The one parse-and-repair helper for every reply a model writes (persona turns, judge replies).
Its errors are written to be sent back to the model, which then gets a chance to fix its reply.

>>> find_json_object('Sure! ```json\\n{"a": {"b": "}"}}\\n``` done')
'{"a": {"b": "}"}}'
"""

from __future__ import annotations

__all__ = ["find_json_object", "parse_json_model"]

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

_DECODER = json.JSONDecoder()


def find_json_object(text: str) -> str | None:
    """The first balanced ``{...}`` in ``text`` (string-aware), valid JSON or not; None when there is none."""
    start = text.find("{")
    if start == -1:
        return None
    try:  # the usual case, a valid object: found by the C decoder, not a Python loop over every character
        _, end = _DECODER.raw_decode(text, start)
        return text[start:end]
    except json.JSONDecodeError:
        return _balanced_braces(text, start)


def _balanced_braces(text: str, start: int) -> str | None:
    """The first balanced ``{...}`` at or after ``start``, valid JSON or not (string-aware)."""
    while start != -1:
        depth, in_string, escaped = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
                continue
            if ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return text[start : i + 1]
        start = text.find("{", start + 1)
    return None


def parse_json_model(text: str, model: type[M], what: str = "the expected format") -> M:
    """The first JSON object in ``text`` as a ``model``, tolerating code fences and prose around it.

    Raises ``ValueError`` with a message fit to show the model when it cannot; ``what`` names the
    format in it (e.g. "the turn format").
    """
    candidate = find_json_object(text)
    if candidate is None:
        raise ValueError("the reply contains no JSON object" if text.strip() else "the reply is empty")
    try:
        data = json.loads(candidate)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the JSON is malformed: {exc.msg} at character {exc.pos}") from exc
    if isinstance(data, dict) and {"type", "properties"} <= set(data):
        raise ValueError("the reply repeats the JSON schema instead of filling it in")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'object'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"the JSON does not fit {what}: {problems}") from exc
