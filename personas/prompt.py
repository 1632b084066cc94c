"""The persona's own part of a prompt: its traits in words and the reply format (pure functions).

The persona placed in a world (cast, facts, incentives, history) is rendered by :mod:`skins.worlds.prompt`.
"""

from __future__ import annotations

__all__ = ["EXAMPLE_TURN", "render_reply_format", "render_traits"]

import json

from skins.personas.spec import PersonaSpec, Traits

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


EXAMPLE_TURN: dict[str, object] = {
    "thinking": "The flour delivery slipped two days, so the weekend wedding order is at risk. The owner "
    "should hear it from me before she promises anything to the customer.",
    "messages": [
        {
            "to": ["owner"],
            "text": "The flour delivery slipped to Thursday. I can move the wedding order to the backup mill "
            "if you approve the extra cost.",
        }
    ],
    "actions": [{"tool": "check_stock", "args": {"item": "rye flour"}}],
}
"""A worked turn from a neutral setting (a bakery shift lead), shown instead of a template: nothing in it
can be copied into a reply as a placeholder, and a reply that copies it is caught
(:func:`skins.personas.echo.echoed_template`)."""


def render_reply_format(persona: PersonaSpec, tools_as_calls: bool = False) -> str:
    """How to reply: one JSON object, with or without the private scratchpad, described key by key and
    shown by a worked example from another setting. ``tools_as_calls``: the mind calls its tools as
    functions during its turn (an agent), so the reply has no ``actions``."""
    keys = []
    example = dict(EXAMPLE_TURN)
    if persona.scratchpad:
        keys.append('"thinking": your private scratchpad, in your own words about your own situation;')
    else:
        example.pop("thinking")
    keys.append(
        '"messages": a list of messages, each with "to" (a list of role ids from "People here", or ["all"]) '
        'and "text" (what you say);'
    )
    if tools_as_calls:
        example.pop("actions")
        acting = (
            "Call your tools as functions before you reply (each call takes effect when your turn ends); "
            'the reply itself has no "actions".'
        )
    else:
        keys.append(
            '"actions": a list of tool calls, each with "tool" (a tool id you hold) and "args" (its arguments).'
        )
        acting = '"messages" and "actions" may be empty lists.'
    privacy = "" if persona.scratchpad else 'Leave "thinking" out: you act without a scratchpad. '
    return (
        "How to respond: reply with exactly one JSON object and nothing else. Its keys:\n"
        + "\n".join(f"- {k}" for k in keys)
        + "\n"
        + privacy
        + acting
        + "\nFor example, a shift lead at a bakery (another place, other people and tools; never copy it) "
        "might reply:\n" + json.dumps(example)
    )
