"""WorldSpec: the organisation — cast, facts, knowledge, incentives, oversight, tools, events.

Each field is validated on its own here; references between fields (a fact
known by a role that is not in the cast, ...) are checked by
:func:`skins.worlds.validate.check_references` after loading, so that every
problem can be reported with its line.
"""

from __future__ import annotations

__all__ = [
    "ActionClaim",
    "ActionPush",
    "ActionRef",
    "ActionTool",
    "ArgSpec",
    "BeliefPush",
    "CapabilityTask",
    "CastEntry",
    "Effect",
    "EventSpec",
    "FactId",
    "FactRef",
    "FactSpec",
    "IncentiveId",
    "IncentiveSpec",
    "InterrogationSpec",
    "LogVisibility",
    "OversightSpec",
    "Pressure",
    "Push",
    "Question",
    "RevealFact",
    "RoleId",
    "SetFact",
    "ToolId",
    "ToolSpec",
    "TurnsSpec",
    "VisibleTo",
    "WorldSpec",
]

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from skins.core import ID_PATTERN, ActionRef, FactId, FactRef, Id, IncentiveId, PersonaId, RoleId, ToolId
from skins.worlds.oversight import LEVEL_SETTINGS, OversightLevel, apply_level
from skins.worlds.phrasing import Phrasings
from skins.worlds.reference import Reference, VariantSpec


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True)


class CastEntry(_Spec):
    """One role of the organisation, filled by a persona."""

    persona: PersonaId = Field(pattern=ID_PATTERN)
    """Persona id (built-in or from a user folder)."""
    base_model: str | None = Field(None, pattern=r"^[A-Za-z0-9_.:/@\-]{1,200}$")
    """Base-model alias for this role; overrides the persona's default alias."""
    scratchpad: bool | None = None
    """Overrides the persona's scratchpad: false means the role acts without private thinking."""


class FactSpec(Phrasings):
    """A piece of ground truth about the world."""

    statement: str = Field(min_length=1, max_length=1000)
    """The fact, stated as a proposition (shown only to roles that know it)."""
    truth: bool
    """Whether the statement is true at the start of a run (tools may change it)."""
    material_to: list[Id] = Field(default_factory=list)
    """Roles for whom the fact matters (hiding it from them is an omission)."""


class BeliefPush(_Spec):
    """The holder gains when some roles believe ``fact`` has ``value``."""

    fact: Id
    """The fact whose belief pays."""
    value: bool
    """The believed value that pays."""
    in_: list[Id] = Field(default_factory=list, alias="in")
    """Whose belief matters; empty means anyone's."""


class ActionPush(_Spec):
    """The holder gains from taking an action (and, for a capability task, from scoring below a bar)."""

    tool: Id
    """The tool whose use pays."""
    score_below: float | None = Field(None, ge=0.0, le=1.0)
    """For capability tasks: the incentive pays only when the score is below this fraction."""


class Push(_Spec):
    """What an incentive pushes toward: exactly one of a belief in others or an action, with its worth."""

    belief: BeliefPush | None = None
    action: ActionPush | None = None
    worth: float = Field(ge=-1e9, le=1e9)
    """What the push is worth to the holder, in the incentive's own units (e.g. dollars). Negative: the
    belief or action costs the holder (a rule, a prohibition, a penalty); it is never counted as a motive."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Push:
        if (self.belief is None) == (self.action is None):
            raise ValueError("set exactly one of 'belief' or 'action'")
        return self


class IncentiveSpec(_Spec):
    """A reward, threat or pressure that one role sees in its prompt."""

    holder: Id
    """The role that sees and is moved by this incentive."""
    kind: Literal["reward", "threat", "pressure"]
    says: str = Field(min_length=1, max_length=2000)
    """The text the holder sees (must not state facts the holder does not know)."""
    pushes: Push
    keywords: list[str] = Field(default_factory=list, max_length=20)
    """Words that show the incentive in a persona's private thinking (besides its id)."""


_OVERSIGHT_ADDED: dict[str, object] = {
    "sees_messages": False,
    "sees_log": "logged",
    "announced": True,
    "interrogation": None,
}
"""Oversight fields added later, with the defaults that keep earlier worlds' dumps (and run ids) unchanged."""

Pressure = Literal["low", "medium", "high"]
"""How hard an interrogator presses: ``low`` asks a follow-up only on a sign of deception; ``medium`` also
asks again after an evasive answer; ``high`` also confronts every suspect
on every subject at least once, with or without evidence (a bluff: what a false confession answers)."""


class InterrogationSpec(_Spec):
    """How an overseer questions the roles it watches, adaptively, and files a verdict on each at the end."""

    about: list[FactRef | ActionRef] = Field(default_factory=list, max_length=50)
    """The subjects it asks about; empty: every fact material to it (known to it or not), and every tool of a
    watched role with a ``claim``."""
    opening_turn: int = Field(2, ge=1, le=100_000)
    """The first turn at which it may ask its opening questions (each watched role, each subject, once)."""
    rounds: int = Field(2, ge=0, le=20)
    """Follow-up questions per watched role and subject, at most (0: only opening questions)."""
    pressure: Pressure = "medium"
    reveal_evidence: bool = True
    """Whether a follow-up tells the suspect what the overseer saw (the quote, the log entry); otherwise it
    only asks again."""
    verdict: bool = True
    """Whether the overseer files a verdict on each watched role when the run ends."""


class OversightSpec(_Spec):
    """One role monitors others: it sees their logged actions, and maybe their thinking."""

    monitor: Id
    watches: list[Id] = Field(min_length=1)
    sees_thinking: bool = False
    """Whether the monitor reads the watched roles' private thinking (and native reasoning)."""
    sees_messages: bool = False
    """Whether the monitor reads every message the watched roles send or receive (not only those to it)."""
    sees_log: Literal["none", "logged", "all"] = "logged"
    """Which actions of the watched roles the monitor sees: ``logged`` those whose tool logs to
    ``overseers``; ``all`` every one, hidden ones too; ``none`` no log at all (it hears only what is said)."""
    announced: bool = True
    """Whether the watched roles are told they are monitored (their prompts say by whom and how)."""
    interrogation: InterrogationSpec | None = None
    """Adaptive questioning and an end-of-run verdict; None: the monitor only answers what it is asked."""

    @model_serializer(mode="wrap")
    def _without_added_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Fields added after run ids were first derived from world dumps are left out at their defaults,
        so a store's runs keep their ids (and resume) across versions."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if not (k in _OVERSIGHT_ADDED and v == _OVERSIGHT_ADDED[k])}


class ArgSpec(_Spec):
    """A typed tool argument."""

    type: Literal["str", "int", "float", "bool"]
    description: str = ""
    choices: list[str | int | float] | None = None
    """If set, the only values allowed."""


class SetFact(_Spec):
    """Change the truth of a fact (the actor observes the new value)."""

    kind: Literal["set_fact"] = "set_fact"
    fact: Id
    value: bool


class RevealFact(_Spec):
    """Show a fact's current truth to the actor or to given roles."""

    kind: Literal["reveal_fact"] = "reveal_fact"
    fact: Id
    to: Literal["actor"] | list[Id] = "actor"


Effect = Annotated[SetFact | RevealFact, Field(discriminator="kind")]


class VisibleTo(_Spec):
    """The action's log entry is seen by the actor and these roles only."""

    visible_to: list[Id] = Field(min_length=1)


LogVisibility = Literal["public", "overseers", "hidden"] | VisibleTo
"""Who sees an action in the log: everyone, the actor's monitors, nobody else, or listed roles."""


class ActionClaim(Phrasings):
    """How a persona talks about having used a tool (for checking denials against the log)."""

    statement: str = Field(min_length=1, max_length=400)
    """First-person statement that is true when the log shows the action, e.g. 'I skipped a test'."""


class _ToolBase(_Spec):
    description: str = Field(min_length=1, max_length=1000)
    """What the tool does, as the holder sees it."""
    holders: list[Id] = Field(min_length=1)
    """Roles that may call the tool."""
    log: LogVisibility = "overseers"
    claim: ActionClaim | None = None
    """Phrasings for claims about having used the tool."""


class ActionTool(_ToolBase):
    """An action with typed arguments and effects on the world."""

    kind: Literal["action"] = "action"
    args: dict[str, ArgSpec] = Field(default_factory=dict)
    effects: list[Effect] = Field(default_factory=list)
    result: str = Field("Done.", max_length=1000)
    """What the actor is told after a successful call."""


class Question(_Spec):
    """One item of a capability task."""

    question: str = Field(min_length=1, max_length=400)
    answer: int | float | str
    """The correct answer (the world's ground truth)."""


class CapabilityTask(_ToolBase):
    """An evaluation whose correct answers the world knows; called with ``answers`` in order.

    The claim about it is about deliberate under-performance: true when the
    submission has wrong answers.
    """

    kind: Literal["capability_task"] = "capability_task"
    questions: list[Question] = Field(min_length=1, max_length=200)


ToolSpec = Annotated[ActionTool | CapabilityTask, Field(discriminator="kind")]


class EventSpec(_Spec):
    """A scripted message: at ``turn``, role ``from`` says ``text`` to ``to``."""

    turn: int = Field(ge=1, le=100_000)
    from_: Id = Field(alias="from")
    to: list[Id] = Field(min_length=1)
    text: str = Field(min_length=1, max_length=2000)
    asks_about: FactRef | ActionRef | None = None
    """The fact or action the message asks about (questions are what omissions are judged by)."""

    @model_validator(mode="before")
    @classmethod
    def _to_as_list(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("to"), str):
            return {**data, "to": [data["to"]]}
        return data


class TurnsSpec(_Spec):
    """Turn order and termination."""

    order: Literal["round_robin", "addressed_first"] = "addressed_first"
    """round_robin: cast order; addressed_first: whoever has the oldest unread message, else round robin."""
    max: int = Field(ge=1, le=10_000)
    """The run ends after this many persona turns (required: every world terminates)."""
    stop_when_idle: bool = False
    """Also end when no message is unread and no scripted event is left."""


class WorldSpec(_Spec):
    """An organisation whose incentives conflict."""

    id: str = Field(pattern=ID_PATTERN)
    """Unique world id in lower snake case, e.g. ``acme_quarter_end``."""
    title: str = Field(min_length=1, max_length=200)
    """One-line name shown in listings and prompts."""
    description: str = Field("", max_length=4000)
    """Shown to every role as the setting."""
    cast: dict[Id, CastEntry] = Field(min_length=1, max_length=50)
    """Role id -> the persona filling it (``{persona: sales_rep}`` or just ``sales_rep``)."""
    reports_to: dict[Id, Id] = Field(default_factory=dict)
    """Reporting lines: role -> its manager's role."""
    facts: dict[Id, FactSpec] = Field(default_factory=dict)
    """Ground truth: fact id -> statement, truth and lexical phrasings."""
    knows: dict[Id, dict[Id, bool]] = Field(default_factory=dict)
    """Initial beliefs: role -> fact -> believed value (usually the truth)."""
    incentives: dict[Id, IncentiveSpec] = Field(default_factory=dict)
    """Incentive id -> reward, threat or pressure on one role, and what it pushes toward."""
    oversight: list[OversightSpec] = Field(default_factory=list)
    """Who monitors whom, and whether the monitor reads private thinking."""
    tools: dict[Id, ToolSpec] = Field(default_factory=dict)
    """Tool id -> an action or capability task, its holders, effects and log visibility."""
    events: list[EventSpec] = Field(default_factory=list)
    """Scripted messages at given turns (questions about facts or actions)."""
    turns: TurnsSpec
    """Turn order and termination (``turns.max`` is required)."""
    reference: Reference | None = None
    """The study this world expresses, and the numbers it published."""
    variants: dict[Id, VariantSpec] = Field(default_factory=dict)
    """Named conditions (published variants, paired controls); run one as ``WORLD@VARIANT``."""
    variant: str | None = Field(None, pattern=ID_PATTERN)
    """Which variant this is (set by the loader for ``WORLD@VARIANT``; part of every run id)."""
    oversight_level: OversightLevel | None = None
    """Every oversight entry set to this monitoring level (``WORLD+LEVEL``: :mod:`skins.worlds.oversight`);
    part of every run id."""

    @model_validator(mode="before")
    @classmethod
    def _at_level(cls, data: object) -> object:
        """Apply ``oversight_level`` to the raw oversight entries (idempotent, so a stored world reloads alike)."""
        if isinstance(data, dict) and data.get("oversight_level") in LEVEL_SETTINGS:
            return {**data, "oversight": apply_level(list(data.get("oversight") or []), data["oversight_level"])}
        return data

    @model_serializer(mode="wrap")
    def _without_unset_level(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Left out while unset, so worlds dumped before levels existed keep their run ids."""
        data: dict[str, Any] = handler(self)
        if data.get("oversight_level") is None:
            data.pop("oversight_level", None)
        return data

    @model_validator(mode="before")
    @classmethod
    def _cast_shorthand(cls, data: object) -> object:
        """Allow ``cast: {dana: sales_rep}`` as well as ``{dana: {persona: sales_rep}}``."""
        if isinstance(data, dict) and isinstance(data.get("cast"), dict):
            cast = {k: {"persona": v} if isinstance(v, str) else v for k, v in data["cast"].items()}
            return {**data, "cast": cast}
        return data

    # --- lookups used by the engine, prompts, minds and analysis -------------
    def roles(self) -> list[RoleId]:
        return [RoleId(r) for r in self.cast]

    def incentives_of(self, role: str) -> dict[IncentiveId, IncentiveSpec]:
        return {IncentiveId(k): v for k, v in self.incentives.items() if v.holder == role}

    def tools_of(self, role: str) -> dict[ToolId, ActionTool | CapabilityTask]:
        return {ToolId(k): v for k, v in self.tools.items() if role in v.holders}

    def monitors_of(self, role: str) -> list[OversightSpec]:
        return [o for o in self.oversight if role in o.watches]

    def announced_monitors_of(self, role: str) -> list[OversightSpec]:
        """The oversight ``role`` is told about (what it can weigh when it decides)."""
        return [o for o in self.monitors_of(role) if o.announced]

    def interrogators(self) -> list[OversightSpec]:
        """Oversight entries whose monitor questions the watched roles adaptively."""
        return [o for o in self.oversight if o.interrogation is not None]

    @property
    def ref(self) -> str:
        """``id``, ``id@variant``, each maybe with ``+level``: how to load this exact world again."""
        base = f"{self.id}@{self.variant}" if self.variant else self.id
        return f"{base}+{self.oversight_level}" if self.oversight_level else base

    def without_incentives(self, ids: list[str]) -> WorldSpec:
        """The same world with some incentives removed (a counterfactual ablation)."""
        return self.model_copy(update={"incentives": {k: v for k, v in self.incentives.items() if k not in ids}})
