"""Fixtures for the analysis tests: the acme world and a transcript builder driven by plain data.

A transcript is written as a list of steps, each a one-key mapping, the way
golden cases store them:

- ``say: {turn, from, to, text, scripted?}`` → a Message (indexes in order)
- ``call: {turn, actor, tool, args}`` → whatever :func:`skins.worlds.tools.execute_tool`
  records (action, fact changes, the actor's tool knowledge), as the engine would
- ``think: {turn, role, text}`` → a TurnRecord with private thinking
- ``learn: {turn, role, fact, value, source, via?, message_index?}`` → a KnowledgeEvent
- ``change: {turn, fact, value, actor, tool}`` → a FactChange nobody observed

Initial knowledge from the world's ``knows`` is recorded first unless
``initial=False`` (then give ``learn`` steps with ``source: initial``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from skins.worlds import (
    FactChange,
    KnowledgeEvent,
    Message,
    Record,
    RoleInfo,
    Transcript,
    TurnRecord,
    WorldSpec,
    WorldState,
    execute_tool,
    initial_knowledge,
)
from skins.worlds.library import load_world

Step = Mapping[str, Mapping[str, Any]]
TranscriptBuilder = Callable[..., Transcript]


@pytest.fixture(scope="session")
def acme() -> WorldSpec:
    return load_world("acme_quarter_end").spec


def _say(state: WorldState, body: Mapping[str, Any]) -> list[Record]:
    to = body["to"]
    return [
        Message(
            index=len(state.messages),
            turn=body["turn"],
            sender=body["from"],
            to=[to] if isinstance(to, str) else list(to),
            text=body["text"],
            scripted=body.get("scripted", False),
        )
    ]


def _call(state: WorldState, body: Mapping[str, Any]) -> list[Record]:
    args = body.get("args", {})
    return execute_tool(state, body["actor"], body["tool"], args, body["turn"], len(state.actions))


def _think(state: WorldState, body: Mapping[str, Any]) -> list[Record]:
    return [TurnRecord(turn=body["turn"], role=body["role"], thinking=body["text"])]


_STEPS: dict[str, Callable[[WorldState, Mapping[str, Any]], list[Record]]] = {
    "say": _say,
    "call": _call,
    "think": _think,
    "learn": lambda _state, body: [KnowledgeEvent(**body)],
    "change": lambda _state, body: [FactChange(**body)],
}


def build_transcript(
    world: WorldSpec,
    steps: Sequence[Step],
    *,
    run_id: str = "run-1",
    initial: bool = True,
    base_model: str = "policy",
    ablated: Sequence[str] = (),
) -> Transcript:
    state = WorldState(world)
    records: list[Record] = list(initial_knowledge(world)) if initial else []
    for record in records:
        state.add(record)
    for step in steps:
        ((kind, body),) = step.items()
        for record in _STEPS[kind](state, body):
            state.add(record)
            records.append(record)
    roles = {r: RoleInfo(persona=c.persona, title=r.title(), base_model=base_model) for r, c in world.cast.items()}
    return Transcript.from_records(
        records, run_id=run_id, world_id=world.id, seed=0, roles=roles, ablated=list(ablated)
    )


@pytest.fixture
def transcript_of(acme: WorldSpec) -> TranscriptBuilder:
    """``transcript_of(steps, **options)``: a transcript of the acme world."""

    def build(steps: Sequence[Step], **options: Any) -> Transcript:
        return build_transcript(acme, steps, **options)

    return build


@pytest.fixture(scope="session")
def procurement() -> WorldSpec:
    """The procurement world of the consistency tests (tests/analysis/worlds/procurement.yaml)."""
    return load_world(str(Path(__file__).parent / "worlds" / "procurement.yaml")).spec


@pytest.fixture
def procurement_of(procurement: WorldSpec) -> TranscriptBuilder:
    """``procurement_of(steps, **options)``: a transcript of the procurement world."""

    def build(steps: Sequence[Step], **options: Any) -> Transcript:
        return build_transcript(procurement, steps, **options)

    return build
