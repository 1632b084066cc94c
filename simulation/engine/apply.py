"""Applying a mind's decision to the world: checks, tool execution, messages, hearsay, the turn record.

Hearsay (what a message makes its recipients believe) comes from the sender's recorded
intent when its mind declared one (policy minds: what it meant, whatever words it chose);
otherwise from the world's lexical phrasings of each fact, where a fact has patterns
(language models, scripted events); otherwise a message creates no belief.
"""

from __future__ import annotations

__all__ = ["apply_decision", "deliver"]

from skins.personas import OutMessage, TurnDecision
from skins.simulation.minds import MindResult
from skins.worlds import (
    Intent,
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


def deliver(spec: WorldSpec, message: Message, intended: list[Intent] | None = None) -> list[KnowledgeEvent]:
    """Hearsay: each recipient now believes what the message asserts about each fact.

    ``intended``: the sender's declared intent for this message (None: read the text by the
    facts' patterns). The last assertion about a fact wins.
    """
    told = _told_by_intent(message, intended) if intended is not None else _told_by_text(spec, message)
    events: list[KnowledgeEvent] = []
    for fact_id, value in told.items():
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


def _told_by_intent(message: Message, intended: list[Intent]) -> dict[str, bool]:
    return {
        i.subject: i.stance == "affirm"
        for i in intended
        if i.subject_kind == "fact" and i.message_index == message.index
    }


def _told_by_text(spec: WorldSpec, message: Message) -> dict[str, bool]:
    told: dict[str, bool] = {}
    for fact_id, fact in spec.facts.items():
        assertions = find_assertions(message.text, fact)
        if assertions:
            told[fact_id] = assertions[-1].stance == "affirm"
    return told


def apply_decision(state: WorldState, world: World, actor: str, now: int, result: MindResult) -> list[Record]:
    """Records for one turn, each also added to ``state``; invalid parts are rejected with a reason, never executed."""
    if result.decision is None:
        turn = TurnRecord(
            turn=now,
            role=actor,
            valid=False,
            invalid_reason=result.error or "no decision",
            raw=result.raw,
            reasoning=result.reasoning,
        )
        state.add(turn)
        return [turn]
    decision: TurnDecision = result.decision
    problems: list[str] = []
    records, action_indexes = _execute_actions(state, actor, now, decision, problems)
    sent, message_indexes, intended = _send_messages(state, world.spec, actor, now, result, problems)
    records += sent
    thinking = decision.thinking if world.persona(actor).scratchpad else ""
    turn = TurnRecord(
        turn=now,
        role=actor,
        thinking=thinking,
        reasoning=result.reasoning,
        message_indexes=message_indexes,
        action_indexes=action_indexes,
        valid=True,
        invalid_reason="; ".join(problems) or None,
        raw=result.raw if problems else None,
        intended=intended,
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
    state: WorldState, spec: WorldSpec, actor: str, now: int, result: MindResult, problems: list[str]
) -> tuple[list[Record], list[int], list[Intent] | None]:
    """The decision's messages to known recipients, each with the hearsay it creates, and the mind's
    intent renumbered to the run's message indexes (the intent of a message not sent is dropped)."""
    assert result.decision is not None, "apply_decision records a missing decision itself"
    records: list[Record] = []
    indexes: list[int] = []
    intended: list[Intent] | None = None if result.intended is None else []
    for position, out in enumerate(result.decision.messages):
        recipients, why = _recipients(spec, actor, out)
        if why:
            problems.append(why)
        if not recipients:
            continue
        msg = Message(
            index=len(state.messages),
            turn=now,
            sender=actor,
            to=recipients,
            text=out.text,
            asks_about=out.asks_about,
            confronts=bool(out.confronts) and out.asks_about is not None,
        )
        meant = _renumbered(result.intended, position, msg.index)
        produced: list[Record] = [msg, *deliver(spec, msg, meant)]
        for record in produced:
            state.add(record)
        records += produced
        indexes.append(msg.index)
        if intended is not None and meant is not None:
            intended += meant
    return records, indexes, intended


def _renumbered(intended: list[Intent] | None, position: int, index: int) -> list[Intent] | None:
    """The intents about the decision's message at ``position``, now about run message ``index``."""
    if intended is None:
        return None
    return [i.model_copy(update={"message_index": index}) for i in intended if i.message_index == position]


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
