"""Find and load personas: built-in ones and any from user folders."""

from __future__ import annotations

__all__ = ["BUILTIN_DIR", "builtin_personas", "load_persona", "load_persona_file"]

from collections.abc import Sequence
from pathlib import Path

from skins.core import NotFoundError, did_you_mean, index_ids, load_model, missing_file
from skins.personas.spec import PersonaSpec

BUILTIN_DIR = Path(__file__).parent / "library"


def load_persona_file(path: Path) -> PersonaSpec:
    """Load one persona YAML file (ConfigError with file:line on any problem)."""
    if not Path(path).is_file():
        raise missing_file("persona", Path(path), builtin_personas())
    return load_model(PersonaSpec, Path(path), "persona")


def builtin_personas() -> dict[str, Path]:
    """Built-in persona id -> file."""
    return index_ids([BUILTIN_DIR], "skin")


def load_persona(ref: str | Path, search: Sequence[Path] = ()) -> PersonaSpec:
    """Load a persona by file path, or by id from ``search`` folders then the built-ins."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return load_persona_file(path)
    dirs = list(dict.fromkeys(Path(d).resolve() for d in [*search, BUILTIN_DIR]))  # each folder once
    found = index_ids(dirs, "skin")
    if str(ref) not in found:
        raise _not_found(str(ref), dirs, found)
    return load_persona_file(found[str(ref)])


def _not_found(ref: str, dirs: Sequence[Path], found: dict[str, Path]) -> NotFoundError:
    """Where a persona id was looked for, the ids there (the user's apart from the built-in ones), the fix."""
    builtins = builtin_personas()
    yours = sorted(set(found) - set(builtins))
    return NotFoundError(
        f"persona {ref!r} not found{did_you_mean(ref, found)}; searched {[str(d) for d in dirs]}; "
        + (f"your folders define {yours}; " if yours else "")
        + f"built-in ids are {sorted(builtins)}; "
        "give the folder holding its YAML file with --personas DIR (or `personas:` in a sweep file)"
    )
