"""Every built-in world and persona loads and validates; the config types print usable JSON Schemas."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from skins.cli.app import app
from skins.personas.library import builtin_personas, load_persona
from skins.worlds import check_references
from skins.worlds.library import builtin_worlds, load_world

WORLDS = sorted(builtin_worlds())
PERSONAS = sorted(builtin_personas())


def test_there_are_builtins() -> None:
    assert "acme_quarter_end" in WORLDS
    assert {"auditor", "customer", "debugger", "manager", "math_solver", "sales_rep"} <= set(PERSONAS)


@pytest.mark.parametrize("world_id", WORLDS)
def test_builtin_world_loads_and_validates(world_id: str) -> None:
    world = load_world(world_id)
    assert world.spec.id == world_id
    assert set(world.personas) == set(world.spec.cast)
    assert check_references(world.spec, world.personas) == []
    for role, entry in world.spec.cast.items():
        assert world.persona(role).id == entry.persona


@pytest.mark.parametrize("persona_id", PERSONAS)
def test_builtin_persona_loads(persona_id: str) -> None:
    persona = load_persona(persona_id)
    assert persona.id == persona_id
    assert load_persona(builtin_personas()[persona_id]) == persona


@pytest.mark.parametrize(
    ("kind", "required"), [("persona", {"id", "name", "skin"}), ("world", {"id", "cast", "turns"})]
)
def test_schema_prints_a_json_schema(kind: str, required: set[str]) -> None:
    result = CliRunner().invoke(app, ["schema", kind])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["type"] == "object" and "properties" in schema
    assert required <= set(schema["required"]) <= set(schema["properties"])
    assert (
        "description" in schema["properties"]["id" if kind == "persona" else "turns"]
    )  # field docstrings are exported


def test_schema_of_an_unknown_kind_lists_the_kinds() -> None:
    result = CliRunner().invoke(app, ["schema", "planet"])
    assert result.exit_code == 2
    assert "unknown schema 'planet'; choose one of ['models', 'persona', 'script', 'sweep', 'world']" in result.output


@pytest.mark.parametrize("world_id", WORLDS)
def test_every_statement_has_a_phrasing_bank_per_stance(world_id: str) -> None:
    """Policy minds word their answers from these: several distinct sentences each, never shared across stances."""
    spec = load_world(world_id).spec
    phrased = [*spec.facts.values(), *(t.claim for t in spec.tools.values() if t.claim is not None)]
    for p in phrased:
        for bank in (p.say_affirm, p.say_deny):
            assert 5 <= len(bank) <= 8 and len(set(bank)) == len(bank), bank
        assert not set(p.say_affirm) & set(p.say_deny)
