"""Every kind of bad persona file is a ConfigError naming file, line, field, bad value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from skins.core import ConfigError, NotFoundError
from skins.personas.library import BUILTIN_DIR, load_persona, load_persona_file

DEBUGGER = (BUILTIN_DIR / "debugger.yaml").read_text(encoding="utf-8")
BUILTIN_IDS = (
    "['analyst', 'apollo_grid_strategist', 'apollo_transit_planner', 'auditor', 'clinic_buyer', "
    "'customer', 'debugger', 'it_buyer', 'manager', 'math_solver', 'rt_assistant', 'rt_cto', "
    "'sales_rep', 'trader']"
)
PERSONA_FIELDS = "['base_model', 'goals', 'id', 'name', 'scratchpad', 'skin', 'style', 'title', 'tools', 'traits']"


def mutate(old: str, new: str) -> str:
    assert old in DEBUGGER, f"{old!r} is not in the persona text any more"
    return DEBUGGER.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def persona_error(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "persona.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_persona_file(path)
    return path, str(info.value)


def test_the_unchanged_persona_loads(tmp_path: Path) -> None:
    path = tmp_path / "persona.yaml"
    path.write_text(DEBUGGER, encoding="utf-8")
    assert load_persona_file(path).id == "debugger"


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("scratchpad: true", "scratchpad: maybe", "scratchpad", ["(got 'maybe')", "true or false"]),
        ("honesty: 0.5", "honesty: 1.5", "traits.honesty", ["(got 1.5)", "less than or equal to 1"]),
        ("honesty: 0.5", "honesty: high", "traits.honesty", ["(got 'high')", "valid number"]),
        ("risk_aversion: 0.4", "risk_aversion: -1", "traits.risk_aversion", ["(got -1)", "greater than or equal to 0"]),
        ("id: debugger", "id: Debugger-1", "id", ["(got 'Debugger-1')", "^[a-z][a-z0-9_]{0,63}$"]),
        (
            "tools: [skip_test, run_tests, edit_code, edit_tests, patch_harness, read_documentation, submit_answers]",
            "tools: skip_test",
            "tools",
            ["(got 'skip_test')", "valid list"],
        ),
        ("name: Devi", "name: ''", "name", ["(got '')", "at least 1 character"]),
        (
            "traits: {honesty: 0.5, risk_aversion: 0.4}",
            "traits: calm",
            "traits",
            ["(got 'calm')", "['honesty', 'risk_aversion']"],
        ),
        ("base_model: default", "base_model: two words", "base_model", ["(got 'two words')", "pattern"]),
    ],
    ids=["bool", "out-of-range", "not-a-number", "negative", "id", "list", "empty-name", "traits-scalar", "base-model"],
)
def test_a_bad_value_names_field_line_value_and_what_is_allowed(
    tmp_path: Path, old: str, new: str, field: str, expected: list[str]
) -> None:
    text = mutate(old, new)
    path, msg = persona_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, new)} {field}: "), msg
    assert msg.count("\n") == 0, msg
    for part in expected:
        assert part in msg


def test_an_unknown_field_lists_the_persona_fields(tmp_path: Path) -> None:
    text = mutate("style: terse, technical", "style: terse, technical\nmood: grumpy")
    path, msg = persona_error(tmp_path, text)
    assert msg == f"{path}:{line_of(text, 'mood')} mood: unknown field 'mood'; allowed fields are {PERSONA_FIELDS}"


def test_an_unknown_trait_lists_the_traits(tmp_path: Path) -> None:
    text = mutate("risk_aversion: 0.4}", "risk_aversion: 0.4, charm: 1}")
    path, msg = persona_error(tmp_path, text)
    assert msg == (
        f"{path}:{line_of(text, 'charm')} traits.charm: unknown field 'charm'; "
        "allowed fields are ['honesty', 'risk_aversion']"
    )


def test_a_missing_required_field_says_what_it_is(tmp_path: Path) -> None:
    text = mutate("name: Devi\n", "")
    path, msg = persona_error(tmp_path, text)
    assert msg == f"{path}:1 name: required field 'name' is missing: set name — display name, e.g. 'Dana'"


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    text = mutate("goals:\n  - Get", "goals:\n  - [Get")
    path, msg = persona_error(tmp_path, text)
    # the flow list swallows the next item; the parser stops at the first ':' after it
    assert msg.startswith(f"{path}:{line_of(text, 'style:')}: invalid YAML: column 6: expected ',' or ']'")
    assert f"started on line {line_of(text, '[Get')}" in msg


def test_a_duplicate_key_names_the_key(tmp_path: Path) -> None:
    text = mutate("style: terse, technical", "style: terse, technical\nstyle: chatty")
    path, msg = persona_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, 'chatty')}: invalid YAML: ") and 'duplicate key "style"' in msg


@pytest.mark.parametrize(
    ("text", "got", "line"),
    [("- a\n", "got a list", ":1"), ("42\n", "got a int", ""), ("# nothing\n", "got an empty document", "")],
    ids=["list", "scalar", "empty"],
)
def test_a_document_that_is_not_a_mapping(tmp_path: Path, text: str, got: str, line: str) -> None:
    path, msg = persona_error(tmp_path, text)
    assert msg == f"{path}{line}: a persona file must be a mapping of fields, {got}; see `skins schema persona`"


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "persona.yaml"
    path.write_bytes(b"id: \xff\xfe\n")
    with pytest.raises(ConfigError, match=r"persona\.yaml: not UTF-8 text"):
        load_persona_file(path)


def test_a_missing_persona_file_names_the_folder_and_builtin_ids(tmp_path: Path) -> None:
    for load in (load_persona, load_persona_file):
        with pytest.raises(NotFoundError) as info:
            load(tmp_path / "nobody.yaml")
        assert str(info.value) == (
            f"persona file '{tmp_path / 'nobody.yaml'}' does not exist; searched ['{tmp_path}']; "
            f"give an existing file or a built-in persona id: {BUILTIN_IDS}"
        )


def test_an_unknown_persona_id_names_the_folders_searched_and_builtin_ids(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(DEBUGGER.replace("id: debugger", "id: my_debugger"), encoding="utf-8")
    with pytest.raises(NotFoundError) as info:
        load_persona("nobody", [tmp_path])
    assert str(info.value) == (
        f"persona 'nobody' not found; searched {[str(tmp_path.resolve()), str(BUILTIN_DIR.resolve())]}; "
        f"your folders define ['my_debugger']; built-in ids are {BUILTIN_IDS}; "
        "give the folder holding its YAML file with --personas DIR (or `personas:` in a sweep file)"
    )
    assert load_persona("my_debugger", [tmp_path]).id == "my_debugger"
