"""Find and load worlds (built-in or from a path) together with the personas of their cast."""

from __future__ import annotations

__all__ = ["BUILTIN_DIR", "World", "at_level", "builtin_worlds", "load_world", "load_world_file"]

import functools
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from skins.core import (
    ConfigError,
    ConfigProblem,
    LineIndex,
    Loc,
    NotFoundError,
    check_model,
    did_you_mean,
    index_ids,
    missing_file,
    parse_yaml,
    problem,
    read_text,
    render_loc,
)
from skins.personas import PersonaSpec
from skins.personas.library import load_persona
from skins.worlds.oversight import split_level
from skins.worlds.spec import WorldSpec
from skins.worlds.validate import check_references
from skins.worlds.variants import PatchedIndex, added_keys, missing_deletes, split_ref, variant_data

BUILTIN_DIR = Path(__file__).parent / "library"


class World(BaseModel):
    """A validated world and the persona filling each of its roles."""

    model_config = ConfigDict(frozen=True)

    spec: WorldSpec
    personas: dict[str, PersonaSpec]
    """Role -> persona."""

    def persona(self, role: str) -> PersonaSpec:
        return self.personas[role]

    @functools.cached_property
    def canonical_json(self) -> str:
        """The world as sorted-key JSON (computed once: the world is frozen); part of each run's id."""
        return json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)

    def shortened(self, max_turns: int) -> World:
        """The same world ending after at most ``max_turns`` persona turns (later scripted events dropped)."""
        turns = self.spec.turns.model_copy(update={"max": min(max_turns, self.spec.turns.max)})
        events = [e for e in self.spec.events if e.turn <= turns.max]
        return self.model_copy(update={"spec": self.spec.model_copy(update={"turns": turns, "events": events})})


def builtin_worlds() -> dict[str, Path]:
    """Built-in world id -> file."""
    return index_ids([BUILTIN_DIR], "cast")


def load_world_file(path: Path, persona_dirs: Sequence[Path] = (), variant: str | None = None) -> World:
    """Load a world file (as one of its variants), resolve its personas and check every cross-reference.

    Every variant is built and checked too, so a bad patch is reported when the world loads.
    """
    path = Path(path)
    if not path.is_file():
        raise missing_file("world", path, builtin_worlds())
    data, index = parse_yaml(read_text(path), str(path))
    spec = check_model(WorldSpec, data, index, "world")
    dirs = [*map(Path, persona_dirs), path.parent]
    loaded: dict[str, PersonaSpec] = {}  # persona id -> spec, shared by the world and its variants
    world, problems = _resolve(spec, index, dirs, loaded)
    worlds: dict[str | None, World] = {None: world}
    for name in spec.variants:
        patched = PatchedIndex(index, name)
        try:
            bad_patch = _patch_problems(data, name, patched)
            vspec = check_model(WorldSpec, variant_data(data, name), patched, "world")
        except ConfigError as exc:
            problems += [_in_variant(p, name) for p in [*bad_patch, *_added(data, name, exc, patched), *exc.problems]]
            continue
        worlds[name], found = _resolve(vspec, patched, dirs, loaded)
        problems += [_in_variant(p, name) for p in [*bad_patch, *found]]
    if problems:
        raise ConfigError(sorted(dict.fromkeys(problems), key=lambda p: p.line or 0))
    if variant not in worlds:
        raise NotFoundError(
            f"world {spec.id!r} has no variant {variant!r}{did_you_mean(variant, spec.variants)}; "
            f"its variants are {sorted(spec.variants)}"
        )
    return worlds[variant]


def _resolve(
    spec: WorldSpec, index: LineIndex, dirs: Sequence[Path], loaded: dict[str, PersonaSpec]
) -> tuple[World, list[ConfigProblem]]:
    """The world with its personas (each role's scratchpad override applied), and every reference problem.

    ``loaded`` remembers the personas already read from ``dirs``, so variants do not parse them again.
    """
    personas: dict[str, PersonaSpec] = {}
    problems = []
    for role, entry in spec.cast.items():
        try:
            persona = loaded.get(entry.persona) or load_persona(entry.persona, dirs)
        except NotFoundError as exc:
            problems.append(problem(index, ("cast", role, "persona"), str(exc)))
            continue
        loaded[entry.persona] = persona
        if entry.scratchpad is not None:
            persona = persona.model_copy(update={"scratchpad": entry.scratchpad})
        personas[role] = persona
    problems += [problem(index, loc, msg) for loc, msg in check_references(spec, personas)]
    return World(spec=spec, personas=personas), problems


def _patch_problems(data: dict[str, Any], name: str, index: PatchedIndex) -> list[ConfigProblem]:
    """A variant's patch removing keys the world does not have."""
    base = {k: v for k, v in data.items() if k not in ("variants", "variant")}
    return [problem(index, loc, msg) for loc, msg in missing_deletes(base, data["variants"][name]["patch"])]


def _added(data: dict[str, Any], name: str, exc: ConfigError, index: PatchedIndex) -> list[ConfigProblem]:
    """For each key the patch adds that the variant's problems are under: it may be a typo of a key there."""
    out = []
    for loc, hint in added_keys(data, data["variants"][name]["patch"]):
        field = render_loc(loc)
        if any(p.field == field or p.field.startswith((f"{field}.", f"{field}[")) for p in exc.problems):
            parent = render_loc(loc[:-1]) if len(loc) > 1 else "the world"
            there = _value_at(data, loc[:-1])
            msg = (
                f"the patch adds {loc[-1]!r}, which {parent} does not have{hint}; {parent} has "
                f"{sorted(map(str, there))}: patch one of those, or give the new entry in full"
            )
            out.append(problem(index, loc, msg))
    return out


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data.get(part, {}) if isinstance(data, dict) else {}
    return data if isinstance(data, dict) else {}


def _in_variant(p: ConfigProblem, name: str) -> ConfigProblem:
    return replace(p, message=f"in variant {name!r}: {p.message}")


def load_world(ref: str | Path, persona_dirs: Sequence[Path] = ()) -> World:
    """Load a world by file path or by built-in id, optionally as a variant: ``insider_trading@no_scratchpad``."""
    path = Path(ref)
    if path.is_file():
        return load_world_file(path, persona_dirs)
    unlevelled, level = split_level(str(ref))
    if level is not None:
        return at_level(load_world(unlevelled, persona_dirs), level)
    base, variant = split_ref(str(ref))
    if Path(base).suffix in (".yaml", ".yml") or Path(base).is_file():
        return load_world_file(Path(base), persona_dirs, variant)
    found = builtin_worlds()
    if base not in found:
        raise NotFoundError(
            f"world {base!r} not found{did_you_mean(base, found)}: it is neither a file nor a built-in id; "
            f"searched {[str(BUILTIN_DIR)]}; built-in ids are {sorted(found)}"
        )
    return load_world_file(found[base], persona_dirs, variant)


def at_level(world: World, level: str) -> World:
    """The world with every oversight entry at monitoring ``level`` (:mod:`skins.worlds.oversight`)."""
    if not world.spec.oversight:
        raise ConfigError(
            f"world {world.spec.ref!r} has no oversight to set to level {level!r}: add an oversight entry first"
        )
    data = world.spec.model_dump(by_alias=True)
    spec = WorldSpec.model_validate({**data, "oversight_level": level})
    return world.model_copy(update={"spec": spec})
