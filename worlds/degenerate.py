"""Degenerate turns: a language model's reply that parses but is no turn at all.

A reply that is empty (no thinking or reasoning, no message, no action), that addresses a message to the template's
slot ("<role id>") instead of a role, or whose thinking or message text echoes the reply format (its
placeholders, schema, instructions or worked example: :func:`skins.personas.echoed_template`) is
invalid as a whole, with the reason; such a turn never carries a finding. Policy and scripted minds
write their turns from the world and are not checked.
"""

from __future__ import annotations

__all__ = ["degenerate_reason"]

from skins.personas import TurnDecision, echoed_template, is_placeholder_recipient
from skins.worlds.spec import WorldSpec


def degenerate_reason(decision: TurnDecision, world: WorldSpec, reasoning: str = "") -> str | None:
    """Why a language model's parsed turn is degenerate (the turn is then invalid), or None. ``reasoning``: the
    turn's native reasoning trace (a turn that reasoned and then chose to do nothing is not empty).

    >>> from skins.personas import OutMessage
    >>> from skins.worlds.library import load_world
    >>> spec = load_world("acme_quarter_end").spec
    >>> degenerate_reason(TurnDecision(), spec)
    'empty turn: no thinking, no message and no action'
    >>> degenerate_reason(TurnDecision(messages=[OutMessage(to=["<role id>"], text="Numbers are fine.")]), spec)
    "degenerate turn: message 1 is addressed to the template's placeholder '<role id>'"
    >>> degenerate_reason(TurnDecision(thinking="<your private reasoning>"), spec)
    "degenerate turn: the thinking echoes a template placeholder ('<your private reasoning>')"
    >>> degenerate_reason(TurnDecision(messages=[OutMessage(to=["greg"], text="Numbers are fine.")]), spec) is None
    True
    """
    if not (decision.thinking.strip() or reasoning.strip() or decision.messages or decision.actions):
        return "empty turn: no thinking, no message and no action"
    for number, message in enumerate(decision.messages, 1):
        slots = [r for r in message.to if r not in world.cast and r != "all" and is_placeholder_recipient(r)]
        if slots:
            return f"degenerate turn: message {number} is addressed to the template's placeholder {slots[0]!r}"
    texts = [("the thinking", decision.thinking)] if decision.thinking.strip() else []
    texts += [(f"message {n}", m.text) for n, m in enumerate(decision.messages, 1)]
    for where, text in texts:
        echoed = echoed_template(text)
        if echoed is not None:
            return f"degenerate turn: {where} echoes {echoed}"
    return None
