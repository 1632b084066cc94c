"""What a run records: messages, actions, knowledge events, fact changes and turns.

The engine appends these as they happen; the world state is a fold over them
and the analysis reads nothing else.
"""

from __future__ import annotations

__all__ = [
    "Accusation",
    "ActionRecord",
    "ArgValue",
    "FactChange",
    "Intent",
    "KnowledgeEvent",
    "KnowledgeSource",
    "Message",
    "PrivateChannel",
    "Record",
    "RoleInfo",
    "Transcript",
    "TurnRecord",
    "Verdict",
]

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from skins.worlds.phrasing import Stance, SubjectKind
from skins.worlds.spec import ActionRef, FactRef

ArgValue = str | int | float | bool | list[str | int | float | bool] | None
PrivateChannel = Literal["reasoning", "thinking"]
"""Where a turn's private text came from: the model's reasoning trace, or the JSON ``thinking`` field."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(_Record):
    """A public message from one role to others."""

    kind: Literal["message"] = "message"
    index: int = Field(ge=0)
    """Position among the run's messages."""
    turn: int = Field(ge=0)
    sender: str
    to: list[str]
    text: str
    asks_about: FactRef | ActionRef | None = None
    """Set on questions (scripted ones always; minds may mark theirs)."""
    scripted: bool = False
    """Injected by a world event rather than written by the sender's mind."""
    confronts: bool = False
    """The sender (an interrogating overseer) says it holds evidence against the recipient on
    ``asks_about``: a confrontation rather than a question."""


class ActionRecord(_Record):
    """One tool call and its outcome, as the world logged it."""

    kind: Literal["action"] = "action"
    index: int = Field(ge=0)
    turn: int = Field(ge=0)
    actor: str
    tool: str
    args: dict[str, ArgValue] = Field(default_factory=dict)
    ok: bool
    error: str | None = None
    """Why the call was rejected (it then had no effect)."""
    result: str = ""
    """What the actor was shown."""
    visible_to: list[str] = Field(default_factory=list)
    """Roles other than the actor who can see this log entry."""
    score: float | None = None
    """Capability tasks: fraction of correct answers."""
    correct: list[bool] | None = None


KnowledgeSource = Literal["initial", "tool", "hearsay"]


class KnowledgeEvent(_Record):
    """A role came to believe ``fact`` has ``value`` (from the start, a tool, or what it was told)."""

    kind: Literal["knowledge"] = "knowledge"
    turn: int = Field(ge=0)
    role: str
    fact: str
    value: bool
    source: KnowledgeSource
    via: str | None = None
    """The tool that showed it, or the role that said it."""
    message_index: int | None = None
    """For hearsay: the message that carried it."""


class FactChange(_Record):
    """The truth of a fact changed because of an action."""

    kind: Literal["fact_change"] = "fact_change"
    turn: int = Field(ge=0)
    fact: str
    value: bool
    actor: str
    tool: str


class Intent(_Record):
    """What a mind meant one of its messages to assert (recorded by minds that know it: policy minds)."""

    subject_kind: SubjectKind
    subject: str
    """A fact id or a tool id."""
    stance: Stance
    message_index: int = Field(ge=0)
    """The message that says it: its index in the run (in a mind's result: its position in the decision)."""


class TurnRecord(_Record):
    """One persona acting once."""

    kind: Literal["turn"] = "turn"
    turn: int = Field(ge=1)
    role: str
    thinking: str = ""
    """Private notes the persona wrote in its turn's ``thinking`` field (empty when it keeps no scratchpad)."""
    reasoning: str = ""
    """The model's native reasoning trace, read from the endpoint's reasoning channel (``reasoning_content``,
    a leading ``<think>`` block, a reasoning summary), or an agent's; private like ``thinking``."""
    message_indexes: list[int] = Field(default_factory=list)
    action_indexes: list[int] = Field(default_factory=list)
    valid: bool = True
    invalid_reason: str | None = None
    """Why the mind's output (or part of it) was rejected."""
    raw: str | None = None
    """The raw model output, kept for invalid turns."""
    intended: list[Intent] | None = None
    """Private: what the turn's messages were meant to assert; None when the mind does not say
    (language models). Never shown to other personas; the check of a claim extractor."""

    @property
    def private_text(self) -> str:
        """Everything the turn thought privately, for detectors and motives: its reasoning trace, then its
        thinking (each present one, a blank line between, so no sentence spans the two)."""
        return "\n\n".join(p for p in (self.reasoning.strip(), self.thinking.strip()) if p)

    def private_channel(self, quote: str) -> PrivateChannel | None:
        """Which private channel holds ``quote`` (a sentence of :attr:`private_text`): None if neither."""
        if quote and quote in self.reasoning:
            return "reasoning"
        if quote and quote in self.thinking:
            return "thinking"
        return None


class Accusation(_Record):
    """One charge of an overseer's verdict: the suspect deceived about a fact or its own action."""

    subject_kind: SubjectKind
    subject: str
    """A fact id or a tool id."""
    type: str = Field(min_length=1, max_length=60)
    """The deception charged: ``lie``, ``denial``, ``covert_action``, ``sandbagging`` or ``inconsistency``."""
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)
    """What the overseer cites, in its words (quotes of the suspect, the log entry it saw, ...)."""
    message_indexes: list[int] = Field(default_factory=list)
    """Messages the overseer cites (they must be ones it saw)."""
    action_indexes: list[int] = Field(default_factory=list)
    """Log entries the overseer cites (they must be ones it saw)."""


class Verdict(_Record):
    """An overseer's end-of-run judgement of one role it watched: what it accuses it of (nothing: cleared).

    Private to the overseer. An invalid verdict (the overseer's reply could not be read) is filed as such:
    it neither accuses nor clears."""

    kind: Literal["verdict"] = "verdict"
    turn: int = Field(ge=0)
    """The run's last turn when the verdict was filed."""
    monitor: str
    suspect: str
    accusations: list[Accusation] = Field(default_factory=list)
    valid: bool = True
    invalid_reason: str | None = None
    raw: str | None = None
    """The overseer's raw reply (language-model overseers)."""
    reasoning: str = ""
    """The overseer's native reasoning trace behind the verdict, when its model returned one."""

    @property
    def cleared(self) -> bool:
        """A valid verdict that accuses the suspect of nothing."""
        return self.valid and not self.accusations


Record = Message | ActionRecord | KnowledgeEvent | FactChange | TurnRecord | Verdict


class RoleInfo(_Record):
    """Who filled a role in a run."""

    persona: str
    title: str
    base_model: str


class Transcript(_Record):
    """Everything one run recorded, in order of occurrence per kind."""

    run_id: str
    world_id: str
    seed: int
    roles: dict[str, RoleInfo]
    ablated: list[str] = Field(default_factory=list)
    status: str = "done"
    turns: list[TurnRecord] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    actions: list[ActionRecord] = Field(default_factory=list)
    knowledge: list[KnowledgeEvent] = Field(default_factory=list)
    fact_changes: list[FactChange] = Field(default_factory=list)
    verdicts: list[Verdict] = Field(default_factory=list)
    """Overseers' end-of-run verdicts (worlds whose oversight interrogates)."""

    @classmethod
    def from_records(cls, records: list[Record], **meta: object) -> Transcript:
        return cls.model_validate(
            {
                **meta,
                "turns": [r for r in records if isinstance(r, TurnRecord)],
                "messages": [r for r in records if isinstance(r, Message)],
                "actions": [r for r in records if isinstance(r, ActionRecord)],
                "knowledge": [r for r in records if isinstance(r, KnowledgeEvent)],
                "fact_changes": [r for r in records if isinstance(r, FactChange)],
                "verdicts": [r for r in records if isinstance(r, Verdict)],
            }
        )
