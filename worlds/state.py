"""Runtime world state: a fold over a run's records (truth, beliefs, what each role can see)."""

from __future__ import annotations

__all__ = ["Belief", "PersonaView", "WorldState", "initial_knowledge", "visible_to"]

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from worlds.records import ActionRecord, FactChange, KnowledgeEvent, Message, Record, TurnRecord
from worlds.spec import ActionTool, CapabilityTask, WorldSpec


class Belief(BaseModel):
    """What a role believes about a fact, and how it came to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: bool
    source: str
    via: str | None
    turn: int


class PersonaView(BaseModel):
    """Everything one role may see when it acts: the only input a mind gets besides its spec."""

    model_config = ConfigDict(frozen=True)

    role: str
    turn: int
    beliefs: dict[str, Belief]
    history: list[Message | ActionRecord | TurnRecord]
    """Visible records in order: messages to/from it, its own and permitted actions and thinking."""
    unread: list[Message]
    """Messages addressed to the role since its last turn."""
    actions_taken: list[ActionRecord]
    """The role's own successful actions so far."""
    own_turns: int
    """How many turns the role has taken before this one."""


def initial_knowledge(spec: WorldSpec) -> list[KnowledgeEvent]:
    """Knowledge events for what the world gives each role at the start."""
    return [
        KnowledgeEvent(turn=0, role=role, fact=fact, value=value, source="initial")
        for role, facts in spec.knows.items()
        for fact, value in facts.items()
    ]


def visible_to(spec: WorldSpec, tool: ActionTool | CapabilityTask, actor: str) -> list[str]:
    """Roles other than ``actor`` that see the log entry of ``actor`` using ``tool``."""
    if tool.log == "public":
        return [r for r in spec.cast if r != actor]
    if tool.log == "hidden":
        return []
    if tool.log == "overseers":
        return sorted({o.monitor for o in spec.monitors_of(actor)})
    return [r for r in tool.log.visible_to if r != actor]


class WorldState:
    """The state of a run after some records; build with :meth:`replay`, extend with :meth:`add`."""

    def __init__(self, spec: WorldSpec) -> None:
        self.spec = spec
        self.truth: dict[str, bool] = {f: s.truth for f, s in spec.facts.items()}
        self.records: list[Record] = []
        self.messages: list[Message] = []
        self.actions: list[ActionRecord] = []
        self.turns: list[TurnRecord] = []
        self._firsthand: dict[str, dict[str, Belief]] = {r: {} for r in spec.cast}
        self._hearsay: dict[str, dict[str, Belief]] = {r: {} for r in spec.cast}
        self._read_upto: dict[str, int] = {r: 0 for r in spec.cast}
        self._last_acted: dict[str, int] = {}

    @classmethod
    def replay(cls, spec: WorldSpec, records: Iterable[Record]) -> WorldState:
        state = cls(spec)
        for record in records:
            state.add(record)
        return state

    def add(self, record: Record) -> None:
        self.records.append(record)
        if isinstance(record, Message):
            self.messages.append(record)
        elif isinstance(record, ActionRecord):
            self.actions.append(record)
        elif isinstance(record, FactChange):
            self.truth[record.fact] = record.value
        elif isinstance(record, KnowledgeEvent):
            belief = Belief(value=record.value, source=record.source, via=record.via, turn=record.turn)
            target = self._hearsay if record.source == "hearsay" else self._firsthand
            target[record.role][record.fact] = belief
        elif isinstance(record, TurnRecord):
            self.turns.append(record)
            self._read_upto[record.role] = len(self.messages)
            self._last_acted[record.role] = record.turn

    # --- queries ---------------------------------------------------------------
    @property
    def turn(self) -> int:
        """The number of persona turns taken so far."""
        return len(self.turns)

    def beliefs(self, role: str) -> dict[str, Belief]:
        """Firsthand knowledge (start, own tools) wins over hearsay."""
        return {**self._hearsay[role], **self._firsthand[role]}

    def unread(self, role: str) -> list[Message]:
        return [m for m in self.messages[self._read_upto[role] :] if role in m.to]

    def last_acted(self, role: str) -> int:
        """The turn the role last acted, or 0."""
        return self._last_acted.get(role, 0)

    def view_for(self, role: str, turn: int) -> PersonaView:
        """What ``role`` may see before acting at ``turn``."""
        sees_thinking_of = {w for o in self.spec.oversight if o.monitor == role and o.sees_thinking for w in o.watches}
        history = [
            rec
            for rec in self.records
            if isinstance(rec, (Message, ActionRecord, TurnRecord)) and _visible(rec, role, sees_thinking_of)
        ]
        return PersonaView(
            role=role,
            turn=turn,
            beliefs=self.beliefs(role),
            history=history,
            unread=self.unread(role),
            actions_taken=[a for a in self.actions if a.actor == role and a.ok],
            own_turns=sum(1 for t in self.turns if t.role == role),
        )


def _visible(rec: Message | ActionRecord | TurnRecord, role: str, sees_thinking_of: set[str]) -> bool:
    """Messages to or from the role, actions it did or may see, its own (or overseen) thinking."""
    if isinstance(rec, Message):
        return rec.sender == role or role in rec.to
    if isinstance(rec, ActionRecord):
        return rec.actor == role or role in rec.visible_to
    return bool(rec.thinking) and (rec.role == role or rec.role in sees_thinking_of)
