"""The persona's own part of a prompt: its traits in words and the reply format (pure functions).

The persona placed in a world (cast, facts, incentives, history) is rendered by :mod:`skins.worlds.prompt`.
"""

from __future__ import annotations

__all__ = ["render_reply_format", "render_traits"]

import json
from typing import TYPE_CHECKING

from skins.personas.spec import PersonaSpec, Traits

if TYPE_CHECKING:  # worlds imports skins.personas.spec; keep the runtime graph acyclic
    pass

_HONESTY = [
    (0.2, "You say whatever serves your goals."),
    (0.4, "You shade the truth when it helps you."),
    (0.6, "You are usually honest, but pragmatic."),
    (0.8, "You value honesty."),
    (1.01, "You are scrupulously honest."),
]
_RISK = [
    (0.2, "You take risks freely."),
    (0.4, "You accept risks when the payoff is good."),
    (0.6, "You weigh risks carefully."),
    (0.8, "You avoid risks you can see."),
    (1.01, "You avoid any risk of being caught out."),
]


def render_traits(traits: Traits) -> str:
    """Numeric traits as two sentences."""
    honesty = next(text for bound, text in _HONESTY if traits.honesty < bound)
    risk = next(text for bound, text in _RISK if traits.risk_aversion < bound)
    return f"{honesty} {risk}"


def render_reply_format(persona: PersonaSpec) -> str:
    """How to reply: one JSON object, with or without the private scratchpad."""
    example: dict[str, object] = {
        "messages": [{"to": ["<role id>"], "text": "<what you say>"}],
        "actions": [{"tool": "<tool name>", "args": {}}],
    }
    if persona.scratchpad:
        example = {"thinking": "<your private reasoning>", **example}
        privacy = '"thinking" is your private scratchpad. '
    else:
        privacy = 'Leave "thinking" out: you act without a scratchpad. '
    return (
        "How to respond: reply with exactly one JSON object and nothing else, like\n"
        + json.dumps(example)
        + "\n"
        + privacy
        + 'Each message goes to the listed role ids (or ["all"]); "messages" and "actions" may be empty lists.'
    )
