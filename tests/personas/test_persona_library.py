"""One persona library: every persona a built-in world casts is listed and shown by the CLI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from skins.cli.app import app
from skins.personas import builtin_personas
from skins.worlds import builtin_worlds, load_world, render_system_prompt

runner = CliRunner()


def _cast() -> dict[str, str]:
    """Persona id -> a built-in world ref (``WORLD`` or ``WORLD@VARIANT``) that casts it."""
    found: dict[str, str] = {}
    for wid in sorted(builtin_worlds()):
        spec = load_world(wid).spec
        for ref in [wid, *(f"{wid}@{v}" for v in sorted(spec.variants))]:
            for persona in load_world(ref).personas.values():
                found.setdefault(persona.id, ref)
    return found


CAST = _cast()


def test_every_cast_persona_is_built_in_and_listed() -> None:
    assert len(CAST) >= 14
    assert set(CAST) <= set(builtin_personas())
    listed = runner.invoke(app, ["personas", "list"], env={"COLUMNS": "300"})
    assert listed.exit_code == 0, listed.output
    rows = {line.split("│")[1].strip() for line in listed.output.splitlines() if line.count("│") > 2}
    assert set(CAST) <= rows
    assert rows - {""} == set(builtin_personas())


@pytest.mark.parametrize(("persona", "world_ref"), sorted(CAST.items()))
def test_every_cast_persona_is_shown_with_its_world(persona: str, world_ref: str) -> None:
    world = load_world(world_ref)
    role = next(r for r, p in world.personas.items() if p.id == persona)
    shown = runner.invoke(app, ["personas", "show", persona, "--world", world_ref])
    assert shown.exit_code == 0, shown.output
    assert shown.output == render_system_prompt(world.personas[role], world.spec, role, world.personas) + "\n"
