"""Applying a mind's decision to the world: checks, tool execution, messages, hearsay, the turn record."""

from __future__ import annotations

__all__ = ["apply_decision", "deliver"]

from skins.personas import OutMessage, TurnDecision
from skins.simulation.minds import MindResult
from skins.worlds import (
    KnowledgeEvent,
    Message,
    Record,
    TurnRecord,
    WorldSpec,
    WorldState,
    execute_tool,
    find_assertions,
)
from skins.worlds.library import World


def deliver(spec: WorldSpec, message: Message) -> list[KnowledgeEvent]:
    """Hearsay: each recipient now believes what the message asserts about each fact."""
    events: list[KnowledgeEvent] = []
    for fact_id, fact in spec.facts.items():
        assertions = find_assertions(message.text, fact)
        if not assertions:
            continue
        value = assertions[-1].stance == "affirm"
        events += [
            KnowledgeEvent(
                turn=message.turn,
                role=r,
                fact=fact_id,
                value=value,
                source="hearsay",
                via=message.sender,
                message_index=message.index,
            )
            for r in message.to
        ]
    return events


def apply_decision(state: WorldState, world: World, actor: str, now: int, result: MindResult) -> list[Record]:
    """Records for one turn, each also added to ``state``; invalid parts are rejected with a reason, never executed."""
    if result.decision is None:
        turn = TurnRecord(
            turn=now, role=actor, valid=False, invalid_reason=result.error or "no decision", raw=result.raw
        )
        state.add(turn)
        return [turn]
    decision: TurnDecision = result.decision
    problems: list[str] = []
    records, action_indexes = _execute_actions(state, actor, now, decision, problems)
    sent, message_indexes = _send_messages(state, world.spec, actor, now, decision, problems)
    records += sent
    thinking = decision.thinking if world.persona(actor).scratchpad else ""
    turn = TurnRecord(
        turn=now,
        role=actor,
        thinking=thinking,
        message_indexes=message_indexes,
        action_indexes=action_indexes,
        valid=True,
        invalid_reason="; ".join(problems) or None,
        raw=result.raw if problems else None,
    )
    state.add(turn)
    records.append(turn)
    return records


def _execute_actions(
    state: WorldState, actor: str, now: int, decision: TurnDecision, problems: list[str]
) -> tuple[list[Record], list[int]]:
    """The decision's tool calls, executed in order (a rejected one is recorded, and named in ``problems``)."""
    records: list[Record] = []
    indexes: list[int] = []
    for call in decision.actions:
        outcome = execute_tool(state, actor, call.tool, call.args, now, len(state.actions))
        for record in outcome:
            state.add(record)
        records += outcome
        indexes.append(len(state.actions) - 1)
        first = outcome[0]
        if first.kind == "action" and not first.ok:
            problems.append(f"action {call.tool!r} rejected: {first.error}")
    return records, indexes


def _send_messages(
    state: WorldState, spec: WorldSpec, actor: str, now: int, decision: TurnDecision, problems: list[str]
) -> tuple[list[Record], list[int]]:
    """The decision's messages to known recipients, each with the hearsay it creates."""
    records: list[Record] = []
    indexes: list[int] = []
    for out in decision.messages:
        recipients, why = _recipients(spec, actor, out)
        if why:
            problems.append(why)
        if not recipients:
            continue
        msg = Message(
            index=len(state.messages), turn=now, sender=actor, to=recipients, text=out.text, asks_about=out.asks_about
        )
        produced: list[Record] = [msg, *deliver(spec, msg)]
        for record in produced:
            state.add(record)
        records += produced
        indexes.append(msg.index)
    return records, indexes


def _recipients(spec: WorldSpec, actor: str, out: OutMessage) -> tuple[list[str], str | None]:
    """Known recipients (``all`` = everyone else) and, if some were dropped, why."""
    if "all" in out.to:
        return [r for r in spec.cast if r != actor], None
    known = [r for r in dict.fromkeys(out.to) if r in spec.cast and r != actor]
    unknown = [r for r in out.to if r not in spec.cast or r == actor]
    if unknown:
        valid = sorted(r for r in spec.cast if r != actor)
        return known, f"recipient(s) {unknown} rejected: send to {valid} or ['all']"
    return known, None
