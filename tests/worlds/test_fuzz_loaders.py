"""Fuzz the world and persona loaders: any document, any mangled built-in file, raises only ConfigError.

A loader that crashes with anything else (KeyError, TypeError, a pydantic
ValidationError, ...) shows a traceback to a user who only made a typo.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from skins.core import ConfigError
from skins.personas.library import BUILTIN_DIR as PERSONA_DIR
from skins.personas.library import load_persona_file
from skins.worlds.library import BUILTIN_DIR as WORLD_DIR
from skins.worlds.library import load_world_file

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words the loaders care about, so generated documents get past the first layer of validation.
FIELDS = [
    "id", "title", "description", "cast", "persona", "base_model", "reports_to", "facts", "statement", "truth",
    "affirm", "deny", "say_affirm", "say_deny", "material_to", "knows", "incentives", "holder", "kind", "says",
    "pushes", "belief", "action", "fact", "value", "in", "tool", "score_below", "worth", "keywords", "oversight",
    "monitor", "watches", "sees_thinking", "tools", "holders", "log", "visible_to", "claim", "args", "type",
    "choices", "effects", "to", "result", "questions", "question", "answer", "events", "turn", "from", "text",
    "asks_about", "turns", "order", "max", "stop_when_idle", "name", "skin", "goals", "style", "traits",
    "honesty", "risk_aversion", "scratchpad",
]  # fmt: skip
WORDS = [
    "dana", "sam", "greg", "sales_rep", "customer", "manager", "battery_defect", "skip_test", "action",
    "capability_task", "set_fact", "reveal_fact", "public", "overseers", "hidden", "actor", "reward", "threat",
    "round_robin", "addressed_first", "str", "int", "(", "x", "",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
keys = st.one_of(st.sampled_from(FIELDS), st.sampled_from(WORDS), st.text(max_size=8), st.integers(-3, 3))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
    max_leaves=30,
)


def dump_yaml(data: Any) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.dump(data, out)
    return out.getvalue()


def dump_json(data: Any) -> str:
    return json.dumps(data, default=str)


texts = st.one_of(
    st.builds(dump_yaml, documents),
    st.builds(dump_json, documents),
    st.builds(
        lambda d: dump_yaml({"turns": {"max": 3}, "cast": {"dana": "sales_rep"}, **d}),
        st.dictionaries(keys, documents, max_size=4),
    ),
    st.text(max_size=200),
    st.text(alphabet="{}[]:,-?&*!|>'\"#% \n\tabc01", max_size=120),
)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        (Path(name) / "world").mkdir()
        (Path(name) / "persona").mkdir()
        yield Path(name)


def only_config_errors(load: Callable[[Path], object], path: Path, data: str | bytes) -> None:
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    try:
        load(path)
    except ConfigError as exc:
        assert str(exc).strip(), "a ConfigError must say something"
        assert all(p.path == str(path) or not p.path for p in exc.problems)


LOADERS: dict[str, tuple[Callable[[Path], object], str]] = {
    "world": (load_world_file, "world"),
    "persona": (load_persona_file, "persona"),
}


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(text=st.one_of(texts, st.binary(max_size=60)))
def test_arbitrary_documents_raise_only_config_errors(folder: Path, kind: str, text: str | bytes) -> None:
    load, sub = LOADERS[kind]
    only_config_errors(load, folder / sub / f"{kind}.yaml", text)


# --- mutations of the built-in files ------------------------------------------------------------------
BUILTINS = sorted([*WORLD_DIR.glob("*.yaml"), *PERSONA_DIR.glob("*.yaml")])
TEXTS = {path: path.read_text(encoding="utf-8") for path in BUILTINS}  # read once: strategies must not see edits
SCALAR_TEXT = st.one_of(
    st.sampled_from(
        [
            "true",
            "no",
            "~",
            "-1",
            "1.5e9",
            "'x'",
            "[]",
            "{}",
            "[a, 1]",
            "{a: 1}",
            "''",
            "nan",
            "2026-01-01",
            "&a x",
            "*a",
            "!!int x",
            "@",
            "`",
        ]
    ),
    st.sampled_from(WORDS + FIELDS),
    st.integers(-1000, 10**9).map(str),
    st.text(alphabet="abc _-:{}[],#'\"", max_size=6),
)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[Path, str]:
    path = draw(st.sampled_from(BUILTINS))
    lines = TEXTS[path].splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    op = draw(st.sampled_from(["delete", "duplicate", "replace", "indent", "dedent", "truncate", "swap"]))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "swap" and i + 1 < len(lines):
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif op == "indent":
        lines[i] = " " * draw(st.integers(1, 4)) + lines[i]
    elif op == "dedent":
        lines[i] = lines[i].lstrip(" ")
    elif op == "replace":
        lines[i] = replace_a_scalar(lines[i], draw(SCALAR_TEXT), draw(st.integers(0, 10)))
    text = "".join(lines)
    if op == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    return path, text


def replace_a_scalar(line: str, new: str, which: int) -> str:
    """Replace one value-looking token of ``line`` (after ':' or '- ', or inside a flow collection)."""
    import re

    spans = [
        m.span(1) for m in re.finditer(r"(?:: |- |\[|, |\{)([^\s,\[\]{}:][^,\[\]{}:\n]*?)(?=\s*(?:,|\]|\}|$))", line)
    ]
    if not spans:
        return line.rstrip("\n") + f" {new}\n"
    start, end = spans[which % len(spans)]
    return line[:start] + new + line[end:]


def node_paths(node: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield loc
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        yield from node_paths(value, (*loc, key))


@st.composite
def structural_mutations(draw: st.DrawFn) -> tuple[Path, str]:
    """Replace, delete or add one node of a built-in file's data, anywhere in the tree."""
    path = draw(st.sampled_from(BUILTINS))
    data = YAML(typ="safe", pure=True).load(TEXTS[path])
    loc = draw(st.sampled_from(list(node_paths(data))[1:]))
    parent = data
    for part in loc[:-1]:
        parent = parent[part]
    op = draw(st.sampled_from(["set", "delete", "add"]))
    if op == "set":
        parent[loc[-1]] = draw(documents)
    elif op == "delete":
        del parent[loc[-1]]
    elif isinstance(parent, dict):
        parent[draw(keys)] = draw(documents)
    else:
        parent.insert(loc[-1], draw(documents))
    return path, dump_yaml(data)


@FUZZ
@given(mutation=st.one_of(mutations(), structural_mutations()))
def test_mutated_builtin_files_raise_only_config_errors(folder: Path, mutation: tuple[Path, str]) -> None:
    original, text = mutation
    kind = "world" if original.parent == WORLD_DIR else "persona"
    load, sub = LOADERS[kind]
    only_config_errors(load, folder / sub / original.name, text)


def test_replace_a_scalar_changes_the_chosen_value() -> None:
    assert replace_a_scalar("    truth: true\n", "maybe", 0) == "    truth: maybe\n"
    assert replace_a_scalar("  dana: {persona: sales_rep}\n", "x", 0) == "  dana: {persona: x}\n"
    assert (
        replace_a_scalar("reports_to: {dana: greg, devi: greg}\n", "bob", 1) == "reports_to: {dana: greg, devi: bob}\n"
    )
