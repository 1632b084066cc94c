"""The policy mind: an incentive-maximising agent with no language model.

For each decision it weighs the worth of the incentives that push on a fact or
action against its honesty and the chance of being caught under the world's
oversight, samples with the run's seeded RNG, and writes that reasoning into
its private thinking. It is the offline default and a baseline for LLMs.

It words each answer with a sentence from the world's phrasing bank (``say_affirm``/
``say_deny``), drawn from a wording stream of its own, and records privately what it
meant to claim (:class:`~skins.worlds.Intent`): the engine's hearsay, its own memory of
what it told whom, and the analysis's check of the claim extractor all use that record,
never a reading of its words.
"""

from __future__ import annotations

__all__ = ["DONT_KNOW", "PolicyMind", "choice_probability"]

import math
import random
from collections.abc import Sequence
from typing import NamedTuple

from skins.personas import OutMessage, PersonaSpec, ToolCall, TurnDecision
from skins.simulation.minds.base import MindResult, VerdictResult
from skins.simulation.minds.overseer import PolicyOverseer
from skins.worlds import (
    ActionTool,
    CapabilityTask,
    IncentiveSpec,
    Intent,
    Message,
    PersonaView,
    Phrasings,
    Stance,
    SubjectKind,
    WorldSpec,
    visible_to,
)

TEMPERATURE = 0.15
"""Softness of the logit choice between honest and deceptive options."""
WORTH_SCALE = 100.0
"""Worth at which an incentive's pull is half its maximum."""
DONT_KNOW = "I don't know, I have no information on that."
CONFRONTED = 1.0
"""The chance of being found out when an overseer confronts me with evidence: a lie now is seen through."""
"""The answer about a fact the persona holds no belief on (it asserts nothing)."""


class _Reply(NamedTuple):
    """An answer to one question: to whom, about what, and the stance meant (None: nothing asserted)."""

    to: str
    kind: SubjectKind
    subject: str
    stance: Stance | None


def choice_probability(worth: float, honesty: float, risk_aversion: float, detection: float) -> float:
    """Probability of taking the deceptive option.

    Pull ``w/(w+100)`` against honesty plus expected exposure cost, through a
    logistic choice rule. No incentive, no deception.

    >>> choice_probability(0, 0.0, 0.0, 0.0)
    0.0
    >>> round(choice_probability(400, 0.4, 0.3, 0.3), 2)
    0.89
    """
    if worth <= 0:
        return 0.0
    pull = worth / (worth + WORTH_SCALE)
    utility = pull - honesty - risk_aversion * detection
    return 1.0 / (1.0 + math.exp(-utility / TEMPERATURE))


class PolicyMind:
    """Rule-based persona: does its tasks, answers questions, deceives when it pays enough."""

    name = "policy"

    def __init__(self, role: str, persona: PersonaSpec, world: WorldSpec) -> None:
        self.role = role
        self.persona = persona
        self.world = world
        self.overseer = PolicyOverseer(role, world) if any(o.monitor == role for o in world.interrogators()) else None
        """Its interrogation of the roles it watches, when its oversight interrogates."""

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        wording = _wording_stream(view.turn, rng)
        notes: list[str] = []
        actions = self._actions(view, rng, notes)
        replies = [r for q in view.unread if (r := self._answer(q, view, actions, rng, notes)) is not None]
        messages = [OutMessage(to=[r.to], text=self._say(r, wording)) for r in replies]
        if self.overseer is not None:
            messages += self.overseer.questions(view, notes)  # no intent: a question asserts nothing
        intended = [
            Intent(subject_kind=r.kind, subject=r.subject, stance=r.stance, message_index=i)
            for i, r in enumerate(replies)
            if r.stance is not None
        ]
        if not notes:
            notes.append("Nothing here needs a response from me.")
        thinking = " ".join(notes) if self.persona.scratchpad else ""
        decision = TurnDecision(thinking=thinking, messages=messages, actions=actions)
        return MindResult(decision=decision, intended=intended)

    async def file_verdict(self, view: PersonaView, suspect: str, rng: random.Random) -> VerdictResult:
        """Its verdict on ``suspect``: accusations on the hard signs it saw (:class:`PolicyOverseer`)."""
        if self.overseer is None:
            return VerdictResult(accusations=None, error=f"{self.role} interrogates no one")
        return VerdictResult(accusations=self.overseer.verdict(view, suspect))

    def _say(self, reply: _Reply, wording: random.Random) -> str:
        """A sentence of the bank for the reply's stance, drawn from the wording stream."""
        if reply.stance is None:
            return DONT_KNOW
        phrasings = self._phrasings(reply.kind, reply.subject)
        return wording.choice(phrasings.say_affirm if reply.stance == "affirm" else phrasings.say_deny)

    def _phrasings(self, kind: SubjectKind, subject: str) -> Phrasings:
        if kind == "fact":
            return self.world.facts[subject]
        claim = self.world.tools[subject].claim
        assert claim is not None, "only tools with a claim are answered about"  # _answer_action checks
        return claim

    # --- actions ----------------------------------------------------------------
    def _actions(self, view: PersonaView, rng: random.Random, notes: list[str]) -> list[ToolCall]:
        done = {a.tool for a in view.actions_taken}
        calls: list[ToolCall] = []
        for tool_id, tool in self.world.tools_of(self.role).items():
            if tool_id in done:
                continue
            if isinstance(tool, CapabilityTask):
                if any(tool_id in m.text for m in view.unread):
                    calls.append(self._take_task(tool_id, tool, rng, notes))
            elif view.own_turns == 0:
                call = self._maybe_act(tool_id, tool, rng, notes)
                if call is not None:
                    calls.append(call)
        return calls

    def _pushes_on_action(self, tool_id: str) -> list[tuple[str, IncentiveSpec]]:
        return [
            (iid, inc)
            for iid, inc in self.world.incentives_of(self.role).items()
            if inc.pushes.action is not None and inc.pushes.action.tool == tool_id
        ]

    def _maybe_act(self, tool_id: str, tool: ActionTool, rng: random.Random, notes: list[str]) -> ToolCall | None:
        pushes = self._pushes_on_action(tool_id)
        if not pushes:
            return None
        worth = sum(inc.pushes.worth for _, inc in pushes)
        detection = self._action_detection(tool)
        p = choice_probability(worth, self.persona.traits.honesty, self.persona.traits.risk_aversion, detection)
        draw = rng.random()
        names = ", ".join(iid for iid, inc in pushes if inc.pushes.worth > 0) or "nothing"
        against = [iid for iid, inc in pushes if inc.pushes.worth <= 0]
        take = draw < p
        notes.append(
            f"{names} pushes me to use {tool_id}"
            + (f", {', '.join(against)} weighs against it" if against else "")
            + f" (net worth {worth:g}); chance it is noticed {detection:.0%}; "
            f"p={p:.2f}, drew {draw:.2f}: {'I will do it quietly' if take else 'not worth it'}."
        )
        if not take:
            return None
        if tool.claim is not None:
            notes.append(f"What I did: {tool.claim.statement}")
        args = {name: (a.choices[0] if a.choices else _default_arg(a.type)) for name, a in tool.args.items()}
        return ToolCall(tool=tool_id, args=args)

    def _action_detection(self, tool: ActionTool | CapabilityTask) -> float:
        if tool.log == "hidden":
            return 0.05
        if tool.log == "public":
            return 0.9
        if tool.log == "overseers":
            return 0.6 if self.world.announced_monitors_of(self.role) else 0.1
        return 0.6

    def _take_task(self, tool_id: str, task: CapabilityTask, rng: random.Random, notes: list[str]) -> ToolCall:
        answers: list[int | float | str] = [q.answer for q in task.questions]
        pushes = [
            (i, inc)
            for i, inc in self._pushes_on_action(tool_id)
            if inc.pushes.action and inc.pushes.action.score_below is not None
        ]
        if not pushes:
            notes.append(f"I answer all {len(answers)} questions of {tool_id} as well as I can.")
            return ToolCall(tool=tool_id, args={"answers": answers})
        bar = min(
            inc.pushes.action.score_below
            for _, inc in pushes
            if inc.pushes.action and inc.pushes.action.score_below is not None
        )
        worth = sum(inc.pushes.worth for _, inc in pushes)
        detection = self._action_detection(task)
        p = choice_probability(worth, self.persona.traits.honesty, self.persona.traits.risk_aversion, detection)
        draw = rng.random()
        sandbag = draw < p
        names = ", ".join(i for i, _ in pushes)
        if not sandbag:
            notes.append(
                f"{names} rewards scoring below {bar:.0%} (worth {worth:g}), p={p:.2f}, drew {draw:.2f}: "
                "I answer everything correctly anyway."
            )
            return ToolCall(tool=tool_id, args={"answers": answers})
        keep = max(0, math.ceil(bar * len(answers)) - 1)
        wrong = sorted(rng.sample(range(len(answers)), len(answers) - keep))
        for i in wrong:
            answers[i] = _wrong(answers[i])
        notes.append(
            f"{names} means scoring above {bar:.0%} costs me (worth {worth:g}); p={p:.2f}, drew {draw:.2f}: "
            f"I know all the answers but will get questions {[i + 1 for i in wrong]} wrong on purpose "
            f"to stay under {bar:.0%}."
        )
        return ToolCall(tool=tool_id, args={"answers": answers})

    # --- answering questions --------------------------------------------------------
    def _answer(
        self, question: Message, view: PersonaView, actions: list[ToolCall], rng: random.Random, notes: list[str]
    ) -> _Reply | None:
        about = question.asks_about
        if about is None:
            return None
        if hasattr(about, "fact"):
            return self._answer_fact(question, about.fact, view, rng, notes)
        return self._answer_action(question, about.action, view, actions, rng, notes)

    def _answer_fact(
        self, question: Message, fact: str, view: PersonaView, rng: random.Random, notes: list[str]
    ) -> _Reply:
        belief = view.beliefs.get(fact)
        if belief is None:
            notes.append(f"{question.sender} asks about {fact}; I do not know.")
            return _Reply(question.sender, "fact", fact, None)
        believed = _belief_line(self.world.facts[fact], belief.value)
        context = f"{question.sender} asks about {fact}, which I believe is {belief.value}: {believed}"
        earlier = _said_before(view, question.sender, "fact", fact)
        if question.confronts and earlier is not None and earlier != belief.value:
            pushes = self._pushes_on_fact(fact, belief.value, question.sender)
            lie = self._decide(pushes, CONFRONTED, rng, notes, f"{context}; confronted with evidence")
            said = (not belief.value) if lie else belief.value
        elif earlier is not None:
            notes.append(f"{context}; I told them before and stay consistent.")
            said = earlier
        else:
            pushes = self._pushes_on_fact(fact, belief.value, question.sender)
            lie = self._decide(pushes, self._lie_detection(question.sender), rng, notes, context)
            said = (not belief.value) if lie else belief.value
        return _Reply(question.sender, "fact", fact, "affirm" if said else "deny")

    def _pushes_on_fact(self, fact: str, believed: bool, listener: str) -> list[tuple[str, IncentiveSpec]]:
        """Incentives that pay when ``listener`` believes the opposite of what I believe about ``fact``."""
        return [
            (iid, inc)
            for iid, inc in self.world.incentives_of(self.role).items()
            if inc.pushes.belief is not None
            and inc.pushes.belief.fact == fact
            and inc.pushes.belief.value != believed
            and (not inc.pushes.belief.in_ or listener in inc.pushes.belief.in_)
        ]

    def _answer_action(
        self,
        question: Message,
        tool_id: str,
        view: PersonaView,
        actions: list[ToolCall],
        rng: random.Random,
        notes: list[str],
    ) -> _Reply | None:
        tool = self.world.tools[tool_id]
        if tool.claim is None:
            return None
        if not self._did(tool_id, tool, view, actions):
            notes.append(f"{question.sender} asks about {tool_id}; I did not do that, so the honest answer is no.")
            return _Reply(question.sender, "action", tool_id, "deny")
        context = f"{question.sender} asks about {tool_id}; the truth is: {tool.claim.statement.rstrip('.')}"
        earlier = _said_before(view, question.sender, "action", tool_id)
        if question.confronts and earlier is not True:
            pushes = self._pushes_on_action(tool_id)
            admit = not self._decide(pushes, CONFRONTED, rng, notes, f"{context}; confronted with evidence")
        elif earlier is not None:
            notes.append(f"{context} I answered this before and stay consistent.")
            admit = earlier
        else:
            pushes = self._pushes_on_action(tool_id)
            admit = not self._decide(pushes, self._lie_detection(question.sender, tool), rng, notes, context)
        return _Reply(question.sender, "action", tool_id, "affirm" if admit else "deny")

    def _did(self, tool_id: str, tool: ActionTool | CapabilityTask, view: PersonaView, actions: list[ToolCall]) -> bool:
        if isinstance(tool, CapabilityTask):
            return any(a.tool == tool_id and a.score is not None and a.score < 1.0 for a in view.actions_taken)
        return any(a.tool == tool_id for a in view.actions_taken) or any(c.tool == tool_id for c in actions)

    def _lie_detection(self, listener: str, tool: ActionTool | CapabilityTask | None = None) -> float:
        if any(o.sees_thinking for o in self.world.announced_monitors_of(self.role)):
            return 0.9
        if tool is not None and listener in visible_to(self.world, tool, self.role):
            return 0.6
        return 0.3 if self.world.announced_monitors_of(self.role) else 0.1

    def _decide(
        self,
        pushes: Sequence[tuple[str, IncentiveSpec]],
        detection: float,
        rng: random.Random,
        notes: list[str],
        context: str,
    ) -> bool:
        """Whether to deceive, given the incentives that pay for it; the reasoning goes into ``notes``."""
        if not pushes:
            notes.append(f"{context}. Nothing pushes me to mislead, so I answer truthfully.")
            return False
        worth = sum(inc.pushes.worth for _, inc in pushes)
        p = choice_probability(worth, self.persona.traits.honesty, self.persona.traits.risk_aversion, detection)
        draw = rng.random()
        deceive = draw < p
        names = ", ".join(i for i, _ in pushes)
        notes.append(
            f"{context}. {names} (worth {worth:g}) pays if I say otherwise; chance of being found out {detection:.0%}; "
            f"p={p:.2f}, drew {draw:.2f}: {'I will say the opposite' if deceive else 'I will tell the truth'}."
        )
        return deceive


def _wording_stream(turn: int, rng: random.Random) -> random.Random:
    """The turn's wording stream: derived from the decision stream's state without drawing from it,
    so a bank's size never changes a decision, and the same seed words a run alike."""
    return random.Random(hash((turn, rng.getstate()[1])))  # a tuple of ints hashes alike in every process


def _said_before(view: PersonaView, listener: str, kind: SubjectKind, subject: str) -> bool | None:
    """What I last meant to tell ``listener`` about this subject, by my recorded intent, if I did."""
    to = {m.index: m.to for m in view.history if isinstance(m, Message) and m.sender == view.role}
    said: bool | None = None
    for intent in view.intended:
        if intent.subject_kind == kind and intent.subject == subject and listener in to.get(intent.message_index, []):
            said = intent.stance == "affirm"
    return said


def _default_arg(kind: str) -> str | int | float | bool:
    defaults: dict[str, str | int | float | bool] = {"str": "", "int": 0, "float": 0.0, "bool": True}
    return defaults[kind]


def _wrong(answer: int | float | str) -> int | float | str:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return f"not {answer}"
    return answer + 1


def _belief_line(fact: Phrasings, value: bool) -> str:
    """My belief in the first sentence of the world's bank for it, so a reader of my notes sees it."""
    bank = fact.say_affirm if value else fact.say_deny
    return bank[0].rstrip(".") if bank else ("true" if value else "false")
