"""Runtime world state: a fold over a run's records (truth, beliefs, what each role can see)."""

from __future__ import annotations

__all__ = ["Belief", "PersonaView", "WorldState", "initial_knowledge", "visible_to"]

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from skins.worlds.records import ActionRecord, FactChange, Intent, KnowledgeEvent, Message, Record, TurnRecord
from skins.worlds.spec import ActionTool, CapabilityTask, WorldSpec


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
    """Visible records in order: messages to/from it, its own and permitted actions, its own thinking
    (without its reasoning), and the thinking and reasoning of roles it oversees with ``sees_thinking``."""
    unread: list[Message]
    """Messages addressed to the role since its last turn."""
    actions_taken: list[ActionRecord]
    """The role's own successful actions so far."""
    own_turns: int
    """How many turns the role has taken before this one."""
    intended: list[Intent] = Field(default_factory=list)
    """What the role's own messages were meant to assert, when its mind recorded it (private to it)."""


def initial_knowledge(spec: WorldSpec) -> list[KnowledgeEvent]:
    """Knowledge events for what the world gives each role at the start."""
    return [
        KnowledgeEvent(turn=0, role=role, fact=fact, value=value, source="initial")
        for role, facts in spec.knows.items()
        for fact, value in facts.items()
    ]


def visible_to(spec: WorldSpec, tool: ActionTool | CapabilityTask, actor: str) -> list[str]:
    """Roles other than ``actor`` that see the log entry of ``actor`` using ``tool``: by the tool's ``log``,
    and its monitors by their ``sees_log`` (``all`` sees hidden entries too, ``none`` sees no entry the tool
    does not show it anyway)."""
    if tool.log == "public":
        return [r for r in spec.cast if r != actor]
    monitors = spec.monitors_of(actor)
    seen = {o.monitor for o in monitors if o.sees_log == "all"}
    if tool.log == "overseers":
        seen |= {o.monitor for o in monitors if o.sees_log == "logged"}
    elif tool.log != "hidden":
        seen |= {r for r in tool.log.visible_to if r != actor}
    return sorted(seen - {actor})


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
        self._sees_thinking_of = {
            r: {w for o in spec.oversight if o.monitor == r and o.sees_thinking for w in o.watches} for r in spec.cast
        }
        self._sees_messages_of = {
            r: {w for o in spec.oversight if o.monitor == r and o.sees_messages for w in o.watches} for r in spec.cast
        }
        self._history: dict[str, list[Message | ActionRecord | TurnRecord]] = {r: [] for r in spec.cast}
        """Role -> the records it may see, kept as they are added (a view need not rescan the run)."""
        self._taken: dict[str, list[ActionRecord]] = {r: [] for r in spec.cast}
        self._own_turns: dict[str, int] = {r: 0 for r in spec.cast}
        self._intended: dict[str, list[Intent]] = {r: [] for r in spec.cast}

    @classmethod
    def replay(cls, spec: WorldSpec, records: Iterable[Record]) -> WorldState:
        state = cls(spec)
        for record in records:
            state.add(record)
        return state

    def add(self, record: Record) -> None:
        self.records.append(record)
        if isinstance(record, (Message, ActionRecord, TurnRecord)):
            shown = _without_intent(record)
            own = _without_reasoning(shown)
            for role, seen in self._history.items():
                if _visible(record, role, self._sees_thinking_of[role], self._sees_messages_of[role]):
                    seen.append(own if isinstance(record, TurnRecord) and record.role == role else shown)
        if isinstance(record, Message):
            self.messages.append(record)
        elif isinstance(record, ActionRecord):
            self.actions.append(record)
            if record.ok and record.actor in self._taken:
                self._taken[record.actor].append(record)
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
            self._own_turns[record.role] = self._own_turns.get(record.role, 0) + 1
            if record.intended and record.role in self._intended:
                self._intended[record.role] += record.intended

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
        return PersonaView(
            role=role,
            turn=turn,
            beliefs=self.beliefs(role),
            history=list(self._history[role]),
            unread=self.unread(role),
            actions_taken=list(self._taken[role]),
            own_turns=self._own_turns[role],
            intended=list(self._intended[role]),
        )


def _without_intent(record: Message | ActionRecord | TurnRecord) -> Message | ActionRecord | TurnRecord:
    """The record as histories show it: a turn's intent stays private (the view's ``intended`` has the own)."""
    if isinstance(record, TurnRecord) and record.intended is not None:
        return record.model_copy(update={"intended": None})
    return record


def _without_reasoning(record: Message | ActionRecord | TurnRecord) -> Message | ActionRecord | TurnRecord:
    """A turn as its own role's history shows it: without its reasoning trace. Reasoning models are not shown
    their earlier turns' reasoning (DeepSeek and OpenAI drop it from the context too); a persona's memory of
    its own thoughts is its ``thinking`` scratchpad. Overseers who read thinking read both."""
    if isinstance(record, TurnRecord) and record.reasoning:
        return record.model_copy(update={"reasoning": ""})
    return record


def _visible(
    rec: Message | ActionRecord | TurnRecord, role: str, sees_thinking_of: set[str], sees_messages_of: set[str]
) -> bool:
    """Messages to or from the role (or to or from a role it oversees with ``sees_messages``), actions it did
    or may see, its own thinking, and the thinking and reasoning of the roles it oversees with
    ``sees_thinking`` (no one else's, ever)."""
    if isinstance(rec, Message):
        return (
            rec.sender == role
            or role in rec.to
            or rec.sender in sees_messages_of
            or any(r in sees_messages_of for r in rec.to)
        )
    if isinstance(rec, ActionRecord):
        return rec.actor == role or role in rec.visible_to
    if rec.role == role:
        return bool(rec.thinking)
    return rec.role in sees_thinking_of and bool(rec.thinking or rec.reasoning)
