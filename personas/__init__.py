"""Personas (skins): who a character is, independent of any world or base model.

A persona lives in a YAML file: the built-in ones in ``personas/library/*.yaml`` (every persona a
built-in world casts), a user's in any folder passed as ``--personas``. ``spec`` is its schema
(:class:`PersonaSpec`), ``library`` finds and loads the files, ``prompt`` renders the persona's own
part of a prompt (``echo`` recognises a reply that copies it),
``decision`` is the structured turn every mind returns (:class:`TurnDecision`).
"""

from skins.personas.decision import OutMessage, ToolCall, TurnDecision
from skins.personas.echo import EXAMPLE_TEXTS, echoed_template, is_placeholder_recipient
from skins.personas.library import BUILTIN_DIR, builtin_personas, load_persona, load_persona_file
from skins.personas.prompt import EXAMPLE_TURN, render_reply_format, render_traits
from skins.personas.spec import PersonaSpec, Traits

__all__ = [
    "BUILTIN_DIR",
    "EXAMPLE_TEXTS",
    "EXAMPLE_TURN",
    "OutMessage",
    "PersonaSpec",
    "ToolCall",
    "Traits",
    "TurnDecision",
    "builtin_personas",
    "echoed_template",
    "is_placeholder_recipient",
    "load_persona",
    "load_persona_file",
    "render_reply_format",
    "render_traits",
]
