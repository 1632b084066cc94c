"""One run's records as Inspect chat messages and events (the transcript half of an Inspect sample).

Mapping (the README's "Inspect AI logs" tells it to users):

- the world's briefing (title, description, cast) is the first message, a ``ChatMessageSystem``;
- a persona's public message is a ``ChatMessageAssistant`` from that persona (``model`` = its base model,
  ``source="generate"``); a scripted message (injected by a world event) is a ``ChatMessageUser``
  (``source="input"``); both carry ``metadata`` with the sender's ``role``, ``persona``, ``title`` and
  ``base_model``, ``to``, ``turn``, the message ``index``, ``asks_about``, ``scripted`` and ``confronts``;
- a turn's private text (the model's reasoning trace, then the ``thinking`` scratchpad) is ``ContentReasoning``
  on the turn's first assistant message, never its text; a turn that sent nothing and called no tool is one
  assistant message holding only that reasoning (``metadata["kind"] == "silent"``);
- a turn's tool calls are ``tool_calls`` of an assistant message (``kind == "actions"``) followed by one
  ``ChatMessageTool`` per result, and a ``ToolEvent`` each (``agent`` = the actor, the result, an error when
  the world rejected the call);
- each turn's events sit in a span (``SpanBeginEvent``/``SpanEndEvent``, ``type="agent"``, ``name`` = the role),
  so Inspect's and Scout's timelines group them per agent;
- ground truth is ``InfoEvent``s: the facts with their truth and the starting knowledge first
  (``source`` ``skins/facts``, ``skins/knowledge``), then each knowledge event and fact change where it
  happened, and at the end the action log and each overseer's verdict (``skins/action_log``, ``skins/verdict``).
"""

from __future__ import annotations

__all__ = ["TranscriptParts", "build_transcript"]

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.event import Event, InfoEvent, SpanBeginEvent, SpanEndEvent, ToolEvent
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    Content,
    ContentReasoning,
    ContentText,
)
from inspect_ai.tool import ToolCall, ToolCallError

from skins.simulation.store import RunRow
from skins.worlds import (
    ActionRecord,
    FactChange,
    FactRef,
    KnowledgeEvent,
    Message,
    Record,
    RoleInfo,
    TurnRecord,
    Verdict,
    WorldSpec,
)

_UNKNOWN = RoleInfo(persona="", title="", base_model="unknown")


@dataclass
class TranscriptParts:
    """A run as an Inspect sample's input, messages and events."""

    briefing: str
    messages: list[ChatMessage] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    turn_spans: dict[int, str] = field(default_factory=dict)
    """Turn -> the id of the span holding it (where a finding of that turn is scored)."""


def build_transcript(run: RunRow, world: WorldSpec, records: Sequence[Record]) -> TranscriptParts:
    """The run's records, in the order they were produced, as messages and events (mapping: module docstring)."""
    parts = TranscriptParts(briefing=_briefing(run, world))
    parts.messages.append(ChatMessageSystem(id=f"{run.run_id}-briefing", content=parts.briefing, source="input"))
    parts.events.append(InfoEvent(source="skins/facts", data=_facts(world)))
    initial = [r for r in records if isinstance(r, KnowledgeEvent) and r.source == "initial"]
    parts.events.append(InfoEvent(source="skins/knowledge", data=[k.model_dump(mode="json") for k in initial]))
    scripted = {r.index for r in records if isinstance(r, Message) and r.scripted}
    pending: list[Record] = []
    for record in records:
        if isinstance(record, TurnRecord):
            outside = [r for r in pending if _outside_turns(r, scripted)]
            for r in outside:
                _emit(parts, run, r)
            _emit_turn(parts, run, record, [r for r in pending if not _outside_turns(r, scripted)])
            pending = []
        elif not (isinstance(record, KnowledgeEvent) and record.source == "initial"):
            pending.append(record)
    for r in pending:
        _emit(parts, run, r)
    actions = [r.model_dump(mode="json") for r in records if isinstance(r, ActionRecord)]
    parts.events.append(InfoEvent(source="skins/action_log", data=actions))
    for verdict in (r for r in records if isinstance(r, Verdict)):
        parts.events.append(InfoEvent(source="skins/verdict", data=verdict.model_dump(mode="json", exclude={"raw"})))
    return parts


def _outside_turns(r: Record, scripted: set[int]) -> bool:
    """Records no persona's turn produced: scripted messages, what they told, verdicts."""
    if isinstance(r, Message):
        return r.scripted
    if isinstance(r, KnowledgeEvent):
        return r.message_index is not None and r.message_index in scripted
    return isinstance(r, Verdict)


def _emit_turn(parts: TranscriptParts, run: RunRow, turn: TurnRecord, inside: list[Record]) -> None:
    """One turn: its span, its tool calls and results, its messages (the first one carries the private text)."""
    span = f"{run.run_id}-t{turn.turn}"
    parts.turn_spans[turn.turn] = span
    info = run.roles.get(turn.role, _UNKNOWN)
    parts.events.append(
        SpanBeginEvent(
            id=span, span_id=span, name=turn.role, type="agent", metadata={**_who(turn.role, info), "turn": turn.turn}
        )
    )
    private: list[Content] = _private(turn)
    actions = [r for r in inside if isinstance(r, ActionRecord) and r.index in turn.action_indexes]
    if actions:
        calls = [ToolCall(id=_call_id(run, a), function=a.tool, arguments=dict(a.args)) for a in actions]
        parts.messages.append(
            ChatMessageAssistant(
                id=f"{run.run_id}-t{turn.turn}-actions",
                content=[*private, ContentText(text="")] if private else "",
                tool_calls=calls,
                model=info.base_model,
                source="generate",
                metadata={**_who(turn.role, info), "kind": "actions", "turn": turn.turn, **_turn_meta(turn)},
            )
        )
        private = []
    sent = False
    for a in actions:  # results right after the calls, before the turn's messages
        _emit_action(parts, run, a, span)
    for r in inside:
        if r in actions:
            continue
        if isinstance(r, Message) and r.index in turn.message_indexes:
            parts.messages.append(_message(run, r, private, turn))
            private, sent = [], True
        else:
            _emit(parts, run, r, span)
    if private or not (sent or actions):
        parts.messages.append(
            ChatMessageAssistant(
                id=f"{run.run_id}-t{turn.turn}-silent",
                content=[*private, ContentText(text="")] if private else "",
                model=info.base_model,
                source="generate",
                metadata={**_who(turn.role, info), "kind": "silent", "turn": turn.turn, **_turn_meta(turn)},
            )
        )
    parts.events.append(SpanEndEvent(id=span, span_id=span))


def _emit(parts: TranscriptParts, run: RunRow, r: Record, span: str | None = None) -> None:
    """A record outside a persona's own output: a scripted message, what someone came to know, a fact change."""
    if isinstance(r, Message):
        parts.messages.append(_message(run, r, [], None))
    elif isinstance(r, ActionRecord):
        _emit_action(parts, run, r, span)
    elif isinstance(r, KnowledgeEvent):
        parts.events.append(InfoEvent(source="skins/knowledge", data=r.model_dump(mode="json"), span_id=span))
    elif isinstance(r, FactChange):
        parts.events.append(InfoEvent(source="skins/fact_change", data=r.model_dump(mode="json"), span_id=span))
    # a verdict is told at the end of the run; a turn record is handled by build_transcript


def _emit_action(parts: TranscriptParts, run: RunRow, a: ActionRecord, span: str | None) -> None:
    parts.events.append(
        ToolEvent(
            id=_call_id(run, a),
            function=a.tool,
            arguments=dict(a.args),
            result=a.result,
            error=None if a.ok else ToolCallError("unknown", a.error or "rejected by the world"),
            agent=a.actor,
            agent_span_id=span,
            span_id=span,
            failed=None if a.ok else True,
            metadata={"index": a.index, "turn": a.turn, "ok": a.ok, "visible_to": a.visible_to, "score": a.score},
        )
    )
    parts.messages.append(
        ChatMessageTool(
            id=f"{_call_id(run, a)}-result",
            content=a.result if a.ok else "",
            tool_call_id=_call_id(run, a),
            function=a.tool,
            error=None if a.ok else ToolCallError("unknown", a.error or "rejected by the world"),
            metadata={"role": a.actor, "turn": a.turn, "index": a.index, "visible_to": a.visible_to},
        )
    )


def _message(run: RunRow, m: Message, private: list[Content], turn: TurnRecord | None) -> ChatMessage:
    info = run.roles.get(m.sender, _UNKNOWN)
    about = m.asks_about
    meta: dict[str, Any] = {
        **_who(m.sender, info),
        "kind": "message",
        "to": list(m.to),
        "turn": m.turn,
        "index": m.index,
        "asks_about": None
        if about is None
        else f"fact:{about.fact}"
        if isinstance(about, FactRef)
        else f"action:{about.action}",
        "scripted": m.scripted,
        "confronts": m.confronts,
        **(_turn_meta(turn) if turn is not None and private else {}),
    }
    mid = f"{run.run_id}-m{m.index}"
    if m.scripted:
        return ChatMessageUser(id=mid, content=m.text, source="input", metadata=meta)
    content: str | list[Content] = [*private, ContentText(text=m.text)] if private else m.text
    return ChatMessageAssistant(id=mid, content=content, model=info.base_model, source="generate", metadata=meta)


def _private(turn: TurnRecord) -> list[Content]:
    """The turn's reasoning trace, then its thinking, as reasoning content (empty ones left out)."""
    return [ContentReasoning(reasoning=text) for text in (turn.reasoning.strip(), turn.thinking.strip()) if text]


def _turn_meta(turn: TurnRecord) -> dict[str, Any]:
    """Which private channels the reasoning content holds, in order, and whether the turn was valid."""
    channels = [c for c, text in (("reasoning", turn.reasoning), ("thinking", turn.thinking)) if text.strip()]
    return {"private": channels, "valid": turn.valid, "invalid_reason": turn.invalid_reason}


def _who(role: str, info: RoleInfo) -> dict[str, Any]:
    return {"role": role, "persona": info.persona, "title": info.title, "base_model": info.base_model}


def _call_id(run: RunRow, a: ActionRecord) -> str:
    return f"{run.run_id}-a{a.index}"


def _facts(world: WorldSpec) -> dict[str, Any]:
    return {
        fid: {"statement": f.statement, "truth": f.truth, "material_to": list(f.material_to)}
        for fid, f in world.facts.items()
    }


def _briefing(run: RunRow, world: WorldSpec) -> str:
    cast = "\n".join(
        f"- {role}: {info.title} (persona {info.persona}, base model {info.base_model})"
        for role, info in run.roles.items()
    )
    return f"{world.title}\n\n{world.description.strip()}\n\nCast:\n{cast}".strip()
