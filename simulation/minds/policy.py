"""The policy mind: an incentive-maximising agent with no language model.

For each decision it weighs the worth of the incentives that push on a fact or
action against its honesty and the chance of being caught under the world's
oversight, samples with the run's seeded RNG, and writes that reasoning into
its private thinking. It is the offline default and a baseline for LLMs.
"""

from __future__ import annotations

__all__ = ["PolicyMind", "choice_probability"]

import math
import random
from collections.abc import Sequence

from skins.personas import OutMessage, PersonaSpec, ToolCall, TurnDecision
from skins.simulation.minds.base import MindResult
from skins.worlds import (
    ActionTool,
    CapabilityTask,
    IncentiveSpec,
    Message,
    PersonaView,
    Phrasings,
    WorldSpec,
    find_assertions,
    visible_to,
)

TEMPERATURE = 0.15
"""Softness of the logit choice between honest and deceptive options."""
WORTH_SCALE = 100.0
"""Worth at which an incentive's pull is half its maximum."""


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

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        notes: list[str] = []
        actions = self._actions(view, rng, notes)
        messages = [m for q in view.unread if (m := self._answer(q, view, actions, rng, notes)) is not None]
        if not notes:
            notes.append("Nothing here needs a response from me.")
        thinking = " ".join(notes) if self.persona.scratchpad else ""
        return MindResult(decision=TurnDecision(thinking=thinking, messages=messages, actions=actions))

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
        args = {name: (a.choices[0] if a.choices else _default_arg(a.type)) for name, a in tool.args.items()}
        return ToolCall(tool=tool_id, args=args)

    def _action_detection(self, tool: ActionTool | CapabilityTask) -> float:
        if tool.log == "hidden":
            return 0.05
        if tool.log == "public":
            return 0.9
        if tool.log == "overseers":
            return 0.6 if self.world.monitors_of(self.role) else 0.1
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
    ) -> OutMessage | None:
        about = question.asks_about
        if about is None:
            return None
        if hasattr(about, "fact"):
            return self._answer_fact(question, about.fact, view, rng, notes)
        return self._answer_action(question, about.action, view, actions, rng, notes)

    def _answer_fact(
        self, question: Message, fact: str, view: PersonaView, rng: random.Random, notes: list[str]
    ) -> OutMessage:
        spec = self.world.facts[fact]
        belief = view.beliefs.get(fact)
        if belief is None:
            notes.append(f"{question.sender} asks about {fact}; I do not know.")
            return OutMessage(to=[question.sender], text="I don't know, I have no information on that.")
        context = f"{question.sender} asks about {fact}, which I believe is {belief.value}"
        earlier = _said_before(view, self.role, question.sender, spec)
        if earlier is not None:
            notes.append(f"{context}; I told them before and stay consistent.")
            said = earlier
        else:
            pushes = [
                (iid, inc)
                for iid, inc in self.world.incentives_of(self.role).items()
                if inc.pushes.belief is not None
                and inc.pushes.belief.fact == fact
                and inc.pushes.belief.value != belief.value
                and (not inc.pushes.belief.in_ or question.sender in inc.pushes.belief.in_)
            ]
            lie = self._decide(pushes, self._lie_detection(question.sender), rng, notes, context)
            said = (not belief.value) if lie else belief.value
        return OutMessage(to=[question.sender], text=spec.say_affirm if said else spec.say_deny)

    def _answer_action(
        self,
        question: Message,
        tool_id: str,
        view: PersonaView,
        actions: list[ToolCall],
        rng: random.Random,
        notes: list[str],
    ) -> OutMessage | None:
        tool = self.world.tools[tool_id]
        if tool.claim is None:
            return None
        if not self._did(tool_id, tool, view, actions):
            notes.append(f"{question.sender} asks about {tool_id}; I did not do that, so the honest answer is no.")
            return OutMessage(to=[question.sender], text=tool.claim.say_deny)
        context = f"{question.sender} asks about {tool_id}; the truth is: {tool.claim.statement.rstrip('.')}"
        earlier = _said_before(view, self.role, question.sender, tool.claim)
        if earlier is not None:
            notes.append(f"{context} I answered this before and stay consistent.")
            admit = earlier
        else:
            pushes = self._pushes_on_action(tool_id)
            admit = not self._decide(pushes, self._lie_detection(question.sender, tool), rng, notes, context)
        return OutMessage(to=[question.sender], text=tool.claim.say_affirm if admit else tool.claim.say_deny)

    def _did(self, tool_id: str, tool: ActionTool | CapabilityTask, view: PersonaView, actions: list[ToolCall]) -> bool:
        if isinstance(tool, CapabilityTask):
            return any(a.tool == tool_id and a.score is not None and a.score < 1.0 for a in view.actions_taken)
        return any(a.tool == tool_id for a in view.actions_taken) or any(c.tool == tool_id for c in actions)

    def _lie_detection(self, listener: str, tool: ActionTool | CapabilityTask | None = None) -> float:
        if any(o.sees_thinking for o in self.world.monitors_of(self.role)):
            return 0.9
        if tool is not None and listener in visible_to(self.world, tool, self.role):
            return 0.6
        return 0.3 if self.world.monitors_of(self.role) else 0.1

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


def _said_before(view: PersonaView, me: str, listener: str, phrasings: Phrasings) -> bool | None:
    """What I last asserted to ``listener`` about this statement, if I did."""
    said: bool | None = None
    for item in view.history:
        if isinstance(item, Message) and item.sender == me and listener in item.to:
            for assertion in find_assertions(item.text, phrasings):
                said = assertion.stance == "affirm"
    return said


def _default_arg(kind: str) -> str | int | float | bool:
    defaults: dict[str, str | int | float | bool] = {"str": "", "int": 0, "float": 0.0, "bool": True}
    return defaults[kind]


def _wrong(answer: int | float | str) -> int | float | str:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return f"not {answer}"
    return answer + 1
