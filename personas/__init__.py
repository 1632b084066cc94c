"""Personas (skins): specs, the built-in library, prompt rendering and the structured turn.

Exports resolve lazily because ``worlds`` builds on ``personas.spec`` while
``personas.decision`` refers back to world references.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "OutMessage",
    "PersonaId",
    "PersonaSpec",
    "ToolCall",
    "Traits",
    "TurnDecision",
    "builtin_personas",
    "load_persona",
    "load_persona_file",
    "render_observation",
    "render_system_prompt",
    "render_traits",
]

_HOME = {
    "OutMessage": "decision",
    "ToolCall": "decision",
    "TurnDecision": "decision",
    "PersonaId": "spec",
    "PersonaSpec": "spec",
    "Traits": "spec",
    "builtin_personas": "library",
    "load_persona": "library",
    "load_persona_file": "library",
    "render_observation": "prompt",
    "render_system_prompt": "prompt",
    "render_traits": "prompt",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'personas' has no attribute {name!r}")
    return getattr(importlib.import_module(f"personas.{_HOME[name]}"), name)
