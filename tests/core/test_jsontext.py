"""Finding and parsing the JSON object in a model's reply: wrapping tolerated, failures explained."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from skins.core import find_json_object, parse_json_model
from skins.core.jsontext import _balanced_braces


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[str] = Field(default_factory=list, max_length=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('Sure! ```json\n{"a": "a {brace} in a string"}\n```', '{"a": "a {brace} in a string"}'),
        ('{"a": "\\"}"} trailing', '{"a": "\\"}"}'),
        ('{"a": 1,} then {"b": 2}', '{"a": 1,}'),  # not valid JSON, but balanced: the parser explains it
        ('{"a": {"b": ', None),
        ("no object", None),
        ("", None),
    ],
    ids=["plain", "fenced-with-prose", "escaped-quote", "balanced-but-invalid", "cut-off", "prose", "empty"],
)
def test_find_json_object_edges(text: str, expected: str | None) -> None:
    assert find_json_object(text) == expected


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(max_size=20),
    obj=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    ),
    after=st.text(max_size=20),
    cut=st.integers(min_value=0, max_value=200),
)
def test_finding_the_json_object_equals_the_brace_scan(before: str, obj: object, after: str, cut: int) -> None:
    """The decoder's fast path finds exactly what the string-aware brace scan finds, whole or cut off."""
    for text in (before + json.dumps({"k": obj}) + after, (before + json.dumps({"k": obj}) + after)[:cut]):
        start = text.find("{")
        expected = None if start == -1 else _balanced_braces(text, start)
        assert find_json_object(text) == expected


@pytest.mark.parametrize(
    ("text", "items"),
    [('{"items": ["a"]}', ["a"]), ('Here: ```json\n{"items": []}\n``` ok?', []), ('{"items": ["}"]} {"x": 1}', ["}"])],
    ids=["plain", "fenced", "first-object-wins"],
)
def test_parse_json_model_tolerates_wrapping(text: str, items: list[str]) -> None:
    assert parse_json_model(text, Reply).items == items


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("   ", "the reply is empty"),
        ("no json here", "contains no JSON object"),
        ('{"items": [1,]}', "the JSON is malformed: .* at character"),
        ('{"type": "object", "properties": {"items": {}}}', "repeats the JSON schema"),
        ('{"items": ["a", "b", "c"]}', "does not fit the reply format: items: List should have at most 2"),
        ('{"items": [], "other": 1}', "other: Extra inputs are not permitted"),
    ],
    ids=["empty", "prose", "malformed", "schema-echo", "too-many", "unknown-field"],
)
def test_parse_json_model_explains_failures(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_json_model(text, Reply, "the reply format")
