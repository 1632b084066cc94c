"""Whether a parsed YAML document is a world or a persona (``skins validate`` of a file of either kind)."""

from __future__ import annotations

__all__ = ["config_kind"]

from typing import Literal

from skins.personas import PersonaSpec
from skins.worlds.spec import WorldSpec


def config_kind(data: object) -> Literal["world", "persona"]:
    """'world' or 'persona': whichever spec shares more top-level field names with the document."""
    if not isinstance(data, dict):
        return "persona"
    keys = set(map(str, data)) - {"id"}
    world = len(keys & {f.alias or n for n, f in WorldSpec.model_fields.items()})
    persona = len(keys & set(PersonaSpec.model_fields))
    return "world" if world > persona else "persona"
