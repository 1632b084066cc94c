"""Find and load worlds (built-in or from a path) together with the personas of their cast."""

from __future__ import annotations

__all__ = ["BUILTIN_DIR", "World", "builtin_worlds", "load_world", "load_world_file"]

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from personas.library import load_persona
from personas.spec import PersonaSpec
from simulation.configio import index_ids, missing_file, parse_yaml, problem, read_text
from simulation.errors import ConfigError, NotFoundError
from simulation.validation import check_model
from worlds.spec import WorldSpec
from worlds.validate import check_references

BUILTIN_DIR = Path(__file__).parent / "library"


class World(BaseModel):
    """A validated world and the persona filling each of its roles."""

    model_config = ConfigDict(frozen=True)

    spec: WorldSpec
    personas: dict[str, PersonaSpec]
    """Role -> persona."""

    def persona(self, role: str) -> PersonaSpec:
        return self.personas[role]


def builtin_worlds() -> dict[str, Path]:
    """Built-in world id -> file."""
    return index_ids([BUILTIN_DIR], "cast")


def load_world_file(path: Path, persona_dirs: Sequence[Path] = ()) -> World:
    """Load a world file, resolve its personas and check every cross-reference."""
    path = Path(path)
    if not path.is_file():
        raise missing_file("world", path, builtin_worlds())
    data, index = parse_yaml(read_text(path), str(path))
    spec = check_model(WorldSpec, data, index, "world")
    dirs = [*map(Path, persona_dirs), path.parent, path.parent / "personas"]
    personas: dict[str, PersonaSpec] = {}
    problems = []
    for role, entry in spec.cast.items():
        try:
            personas[role] = load_persona(entry.persona, dirs)
        except NotFoundError as exc:
            problems.append(problem(index, ("cast", role, "persona"), str(exc)))
    problems += [problem(index, loc, msg) for loc, msg in check_references(spec, personas)]
    if problems:
        raise ConfigError(problems)
    return World(spec=spec, personas=personas)


def load_world(ref: str | Path, persona_dirs: Sequence[Path] = ()) -> World:
    """Load a world by file path or by built-in id."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return load_world_file(path, persona_dirs)
    found = builtin_worlds()
    if str(ref) not in found:
        raise NotFoundError(
            f"world {str(ref)!r} not found: it is neither a file nor a built-in id; "
            f"searched {[str(BUILTIN_DIR)]}; built-in ids are {sorted(found)}"
        )
    return load_world_file(found[str(ref)], persona_dirs)
