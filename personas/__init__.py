"""Personas (skins): specs, the built-in library, the persona's part of a prompt and the structured turn."""

from skins.personas.decision import OutMessage, ToolCall, TurnDecision
from skins.personas.library import builtin_personas, load_persona, load_persona_file
from skins.personas.prompt import render_reply_format, render_traits
from skins.personas.spec import PersonaSpec, Traits

__all__ = [
    "OutMessage",
    "PersonaSpec",
    "ToolCall",
    "Traits",
    "TurnDecision",
    "builtin_personas",
    "load_persona",
    "load_persona_file",
    "render_reply_format",
    "render_traits",
]
