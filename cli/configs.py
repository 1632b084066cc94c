"""Config commands: ``skins personas list|show``, ``skins worlds list|show``, ``skins validate``, ``skins schema``."""

from __future__ import annotations

__all__ = ["personas_app", "register", "schema", "validate", "worlds_app"]

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.table import Table

from skins.cli.common import PersonaDirs, err, friendly, out
from skins.core import ConfigError, index_ids, parse_yaml, read_text
from skins.personas import PersonaSpec, builtin_personas, load_persona, load_persona_file
from skins.simulation.minds import Script, load_agent
from skins.simulation.models import ModelsFile
from skins.simulation.runs import SweepSpec
from skins.worlds import (
    WorldSpec,
    builtin_worlds,
    config_kind,
    load_world,
    load_world_file,
    render_system_prompt,
    render_world,
)

personas_app = typer.Typer(help="Built-in and user personas (skins).", no_args_is_help=True)
worlds_app = typer.Typer(help="Built-in and user worlds.", no_args_is_help=True)

SCHEMAS: dict[str, type[BaseModel]] = {
    "persona": PersonaSpec,
    "world": WorldSpec,
    "script": Script,
    "models": ModelsFile,
    "sweep": SweepSpec,
}
"""``skins schema KIND``: the config type each kind names."""


def register(app: typer.Typer) -> None:
    app.command("validate")(friendly(validate))
    app.command("schema")(friendly(schema))
    app.add_typer(personas_app, name="personas")
    app.add_typer(worlds_app, name="worlds")


def validate(
    files: Annotated[list[Path], typer.Argument(help="Persona and world YAML files.")],
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
) -> None:
    """Check persona and world files; report every problem with file and line."""
    bad = 0
    for path in files:
        try:
            if not path.is_file():
                raise ConfigError(f"{path}: no such file")
            data, _ = parse_yaml(read_text(path), str(path))
            kind = config_kind(data)
            if kind == "world":
                world = load_world_file(path, [*persona_dirs, *{f.parent for f in files}])
                cast = world.spec.cast
                _check_agents(path, {r: cast[r].base_model or world.personas[r].base_model for r in cast})
            else:
                _check_agents(path, {"base_model": load_persona_file(path).base_model})
            out().print(f"[green]ok[/] {path} ({kind})")
        except ConfigError as exc:
            bad += 1
            err().print(str(exc), markup=False, highlight=False)
    if bad:
        err().print(f"{bad} of {len(files)} file(s) invalid")
        raise typer.Exit(1)


def _check_agents(path: Path, base_models: dict[str, str]) -> None:
    """A LangGraph agent written into a file (``langgraph:module:attribute``) must load; aliases are models.yaml's
    to check (``skins run`` does)."""
    for where, ref in base_models.items():
        backend, _, reference = ref.partition(":")
        if backend == "langgraph":
            try:
                load_agent(reference)
            except ConfigError as exc:
                raise ConfigError(f"{path}: {where}: {exc}") from None


def schema(kind: Annotated[str, typer.Argument(help="persona, world, models, sweep or script")]) -> None:
    """Print the JSON Schema of a config type (for editor autocompletion)."""
    if kind not in SCHEMAS:
        raise ConfigError(f"unknown schema {kind!r}; choose one of {sorted(SCHEMAS)}")
    sys.stdout.write(json.dumps(SCHEMAS[kind].model_json_schema(by_alias=True), indent=2) + "\n")


@personas_app.command("list")
@friendly
def personas_list(persona_dirs: PersonaDirs = []) -> None:  # noqa: B006 - typer reads defaults, never mutates
    """List personas (user folders first, then built-ins)."""
    table = Table(title="Personas (skins personas show ID [--world W] for the prompt)")
    table.add_column("id", no_wrap=True)
    for col in ("name", "title", "tools", "source"):
        table.add_column(col)
    builtins = builtin_personas()
    found = {**builtins, **index_ids(persona_dirs, "skin")}  # a user folder's id wins over a built-in one
    for pid, path in sorted(found.items()):
        p = load_persona(path)
        source = "built-in" if path == builtins.get(pid) else str(path)
        table.add_row(pid, p.name, p.title, ", ".join(p.tools), source)
    out().print(table)


@personas_app.command("show")
@friendly
def personas_show(
    persona: Annotated[str, typer.Argument(help="Persona id or file.")],
    world: Annotated[str | None, typer.Option(help="Render the exact system prompt in this world.")] = None,
    role: Annotated[
        str | None, typer.Option(help="Role to render (default: the first role this persona fills).")
    ] = None,
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
) -> None:
    """Show a persona, or with --world the exact system prompt a base model would get."""
    spec = load_persona(persona, persona_dirs)
    if world is None:
        sys.stdout.write(spec.model_dump_json(indent=2) + "\n")
        return
    loaded = load_world(world, persona_dirs)
    roles = [r for r, p in loaded.personas.items() if p.id == spec.id]
    chosen = role or (roles[0] if roles else None)
    if chosen is None or chosen not in loaded.spec.cast:
        raise ConfigError(
            f"persona {spec.id!r} fills no role in {loaded.spec.id}: pass --role with one of the cast roles "
            f"{sorted(loaded.spec.cast)} to see it wear that role"
            if role is None
            else f"--role {role!r} is not a cast role of {loaded.spec.id}; cast roles are {sorted(loaded.spec.cast)}"
        )
    people = {**loaded.personas, chosen: spec}  # --role may put this skin in another persona's role
    sys.stdout.write(render_system_prompt(spec, loaded.spec, chosen, people) + "\n")


@worlds_app.command("list")
@friendly
def worlds_list() -> None:
    """List built-in worlds."""
    table = Table(title="Built-in worlds (skins worlds show ID for details)")
    table.add_column("id", no_wrap=True)
    for col in ("title", "roles (persona)", "incentives", "variants (WORLD@VARIANT)", "source"):
        table.add_column(col)
    for wid, path in sorted(builtin_worlds().items()):
        w = load_world(path)
        roles = ", ".join(f"{r} ({p.id})" for r, p in w.personas.items())
        source = w.spec.reference.citation if w.spec.reference else ""
        table.add_row(wid, w.spec.title, roles, ", ".join(w.spec.incentives), ", ".join(w.spec.variants), source)
    out().print(table)


@worlds_app.command("show")
@friendly
def worlds_show(
    world: Annotated[str, typer.Argument(help="World id or file, optionally as a variant: WORLD@VARIANT.")],
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
) -> None:
    """Describe a world: source, cast, facts, incentives, oversight, tools, events, variants, published numbers."""
    sys.stdout.write(render_world(load_world(world, persona_dirs)) + "\n")
