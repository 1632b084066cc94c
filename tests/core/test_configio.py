"""configio: YAML with lines, pydantic errors in the document's own terms, the id index."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from skins.core import ConfigError, LineIndex, check_model, index_ids, missing_file, parse_yaml, render_loc
from skins.core.loading import _scan_head  # the quick head scan is private to the id index


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Cat(_Strict):
    kind: Literal["cat"] = "cat"
    lives: int = Field(9, ge=0, le=9)
    """How many lives are left."""


class Dog(_Strict):
    kind: Literal["dog"] = "dog"
    tricks: list[str] = []


class Owner(_Strict):
    name: str


class Home(_Strict):
    pets: dict[str, Annotated[Cat | Dog, Field(discriminator="kind")]] = {}
    owner: Owner | Literal["nobody"] = "nobody"
    rooms: int
    """Rooms in the home (required)."""


def errors(text: str) -> list[str]:
    data, index = parse_yaml(text, "home.yaml")
    with pytest.raises(ConfigError) as info:
        check_model(Home, data, index, "home")
    return [p.render() for p in info.value.problems]


def test_parse_yaml_records_the_line_of_every_key_and_item() -> None:
    data, index = parse_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n", "f.yaml")
    assert data == {"a": 1, "b": ["x", {"c": 2}]}
    assert [index.line(loc) for loc in [("a",), ("b",), ("b", 0), ("b", 1), ("b", 1, "c")]] == [1, 2, 3, 4, 4]
    assert index.line(("b", 1, "nope", 3)) == 4  # closest ancestor
    assert index.line(()) == 1


def test_parse_yaml_returns_plain_python_types() -> None:
    data, _ = parse_yaml("a: &t true\nb: *t\nc: 1.5\nd: !!str 3\n", "f.yaml")
    assert data == {"a": True, "b": True, "c": 1.5, "d": "3"}
    assert [type(v) for v in data.values()] == [bool, bool, float, str]


def test_render_loc() -> None:
    assert render_loc(("facts", "x", "affirm", 0)) == "facts.x.affirm[0]"
    assert render_loc(("cast", "a b", 1)) == "cast['a b'][1]"
    assert render_loc(("knows", 3), frozenset({("knows", 3)})) == "knows.3"
    assert LineIndex("f", {}).line(("x",)) is None


def test_aliases_that_expand_without_bound_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(ConfigError, match="more than 100,000 nodes"):
        parse_yaml("\n".join(lines), "bomb.yaml")


def test_deep_nesting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="nests too deeply"):
        parse_yaml("[" * 700 + "]" * 700, "deep.yaml")


def test_a_missing_required_field_names_it_and_its_description() -> None:
    assert errors("pets: {}\n") == [
        "home.yaml:1 rooms: required field 'rooms' is missing: set rooms — rooms in the home (required)"
    ]


def test_a_discriminated_union_error_has_no_tag_in_the_path() -> None:
    assert errors("rooms: 2\npets:\n  tom:\n    kind: cat\n    lives: 12\n") == [
        "home.yaml:5 pets.tom.lives: Input should be less than or equal to 9 (got 12)"
    ]
    assert errors("rooms: 2\npets:\n  rex: {kind: dog, lives: 3}\n") == [
        "home.yaml:3 pets.rex.lives: unknown field 'lives'; allowed fields are ['kind', 'tricks']"
    ]
    assert errors("rooms: 2\npets:\n  rex: {kind: cow}\n") == [
        "home.yaml:3 pets.rex.kind: unknown kind 'cow'; allowed kinds are ['cat', 'dog']"
    ]
    assert errors("rooms: 2\npets:\n  rex: {tricks: []}\n") == [
        "home.yaml:3 pets.rex.kind: required field 'kind' is missing; allowed kinds are ['cat', 'dog']"
    ]


def test_a_smart_union_reports_the_member_the_value_fits_or_lists_the_forms() -> None:
    assert errors("rooms: 2\nowner: {name: 5}\n") == ["home.yaml:2 owner.name: Input should be a valid string (got 5)"]
    assert errors("rooms: 2\nowner: {name: ann, age: 3}\n") == [
        "home.yaml:2 owner.age: unknown field 'age'; allowed fields are ['name']"
    ]
    assert errors("rooms: 2\nowner: somebody\n") == [
        "home.yaml:2 owner: got 'somebody'; expected {name: ...} or 'nobody'"
    ]


def test_problems_are_sorted_by_line_and_deduplicated() -> None:
    assert errors("owner: []\nrooms: x\n") == [
        "home.yaml:1 owner: got []; expected {name: ...} or 'nobody'",
        "home.yaml:2 rooms: Input should be a valid integer, unable to parse string as an integer (got 'x'); "
        "use a whole number",
    ]


def test_missing_file_names_the_folder_and_ids(tmp_path: Path) -> None:
    err = missing_file("pet", tmp_path / "rex.yaml", ["tom", "rex"])
    assert str(err) == (
        f"pet file '{tmp_path / 'rex.yaml'}' does not exist; searched ['{tmp_path}']; "
        "give an existing file or a built-in pet id: ['rex', 'tom']"
    )


def test_index_ids_sees_a_rewritten_file(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: first\nskin: x\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    (tmp_path / "world.yaml").write_text("id: w\ncast: {}\n", encoding="utf-8")
    assert index_ids([tmp_path, tmp_path / "nope"], "skin") == {"first": path}
    path.write_text("id: second\nskin: x\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse clocks
    assert index_ids([tmp_path], "skin") == {"second": path}
    assert index_ids([tmp_path], "cast") == {"w": tmp_path / "world.yaml"}


def test_the_quick_head_scan_agrees_with_a_full_parse() -> None:
    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("worlds/library/**/*.yaml"), *root.glob("personas/library/*.yaml")]
    assert len(files) >= 20
    for path in files:
        text = path.read_text()
        data, _ = parse_yaml(text, str(path))
        assert _scan_head(text) == (data["id"], frozenset(data)), path
    assert _scan_head("{id: x, cast: {}}") is None  # flow style: parsed in full instead
    assert _scan_head("id: a\n---\nid: b\n") is None
    quoted = "id: 'a_b'  # quoted\ncast:\n  x: y\nid_like: 1\n"
    assert _scan_head(quoted) == ("a_b", frozenset({"id", "cast", "id_like"}))


def test_a_comment_where_block_text_should_start_is_a_config_error() -> None:
    """ruamel raises NotImplementedError for it (found by the loader fuzz test)."""
    with pytest.raises(ConfigError, match="invalid YAML"):
        parse_yaml("a: 1\nb: #\n  text\n\nc: 2\n", "x.yaml")
