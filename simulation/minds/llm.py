"""The LLM mind: a chat model wearing a skin, answering with a structured turn.

Unreliable output is expected: the reply is parsed tolerantly, sent back with
the validation error (or why it is a degenerate turn: empty, a template echo, a
placeholder recipient) a bounded number of times, and otherwise recorded as an
invalid turn with the raw output and the reason. Transport failures that
outlast their retries are recorded the same way; permanent ones fail the run.

An interrogating overseer's mind also files end-of-run verdicts (:meth:`LLMMind.file_verdict`), through
the same client: cached, retried, recorded and billed like a turn's call.
"""

from __future__ import annotations

__all__ = ["LLMMind"]

import random

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from skins.core import parse_json_model
from skins.personas import PersonaSpec, TurnDecision
from skins.simulation.minds.base import MindResult, VerdictResult
from skins.simulation.minds.verdict import read_verdict, verdict_schema
from skins.simulation.models import (
    UNCLOSED_THINK,
    ModelClient,
    Reply,
    TransientModelError,
    choose_strategy,
    per_sweep,
    turn_schema,
)
from skins.worlds import (
    ActionRecord,
    Message,
    PersonaView,
    WorldSpec,
    degenerate_reason,
    interrogation_of,
    render_observation,
    render_system_prompt,
    render_verdict_request,
    subjects_in_scope,
)

_OWN_WORDS = "Reply with only the JSON object, in your own words about your own situation, to role ids listed above."


class LLMMind:
    """Drives one chat model (through a ModelClient) for one role of one run."""

    def __init__(
        self, role: str, persona: PersonaSpec, world: WorldSpec, people: dict[str, PersonaSpec], client: ModelClient
    ) -> None:
        self.role = role
        self.persona = persona
        self.world = world
        self.people = people
        self.client = client
        self.name = client.spec.ref
        self._system, self.schema = per_sweep(
            ("llm-mind", role, id(persona), id(world), id(people)),
            lambda: (
                SystemMessage(render_system_prompt(persona, world, role, people)),
                turn_schema(world, role, persona),
            ),
            keep=(persona, world, people),
        )  # the same for every run of a sweep; messages and schemas are never mutated
        self.system_prompt = str(self._system.content)
        self.strategy = choose_strategy(client.spec)

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        """The turn parsed from the reply's text; the reasoning trace read apart from it (see
        :mod:`skins.simulation.models.reasoning`) is the result's, never parsed, never sent back. A reply
        cut inside its ``<think>`` block is an invalid turn at once: a repair would be cut the same way."""
        messages: list[BaseMessage] = [
            self._system,
            HumanMessage(render_observation(view, self.world, self.people)),
        ]
        reply, error = Reply(""), ""
        attempts = self.client.spec.repairs + 1
        for _ in range(attempts):
            try:
                reply = await self.client.complete(messages, self.strategy, self.schema, self.role, view.turn)
            except TransientModelError as exc:
                return _invalid(reply, f"model call failed: {exc}", reply.text or None)
            if reply.unclosed:
                return _invalid(reply, UNCLOSED_THINK, None)
            try:
                decision = parse_json_model(reply.text, TurnDecision, "the turn format")
            except ValueError as exc:
                error = str(exc)
                repair = HumanMessage(f"That reply was not usable: {error}. Reply with only the JSON object.")
                messages = [*messages, AIMessage(reply.text), repair]
                continue
            degenerate = degenerate_reason(decision, self.world, reply.reasoning)
            if degenerate is not None:
                error = degenerate
                repair = HumanMessage(f"That reply was no turn ({error}). {_OWN_WORDS}")
                messages = [*messages, AIMessage(reply.text), repair]
                continue
            if not self.persona.scratchpad:
                decision = decision.model_copy(update={"thinking": ""})
            return MindResult(decision=decision, raw=reply.text, reasoning=reply.reasoning)
        return _invalid(reply, f"invalid output after {attempts} attempts: {error}", reply.text)

    async def file_verdict(self, view: PersonaView, suspect: str, rng: random.Random) -> VerdictResult:
        """The overseer's verdict on ``suspect`` from everything it saw (``view``, at the run's last turn + 1:
        the engine's, and the call's ``turn`` in the calls table and the spend ledger).

        The model reads its usual system prompt, its observation of the run, then the verdict request
        (:func:`~skins.worlds.render_verdict_request`: the subjects in scope, the deception types, the reply
        format) and answers with JSON text (``{"accusations": [...]}``; empty clears the suspect). A reply
        that cannot be read, or names a subject out of scope or an unknown type, is sent back with the reason
        ``repairs`` times; then the verdict is invalid with the reason and the raw reply. Cited message and
        action indexes the overseer did not see are dropped: an overseer can only cite what it saw. The
        reasoning channel goes into the result's ``reasoning`` (private, like the verdict)."""
        oversight = interrogation_of(self.world, self.role, suspect)
        if oversight is None:
            return VerdictResult(accusations=None, error=f"{self.role} does not interrogate {suspect}")
        subjects = subjects_in_scope(self.world, oversight, suspect)
        if not subjects:  # nothing it could accuse them of: no call, and no judgement either way
            return VerdictResult(accusations=None, error=f"no subject in scope for {self.role}'s verdict on {suspect}")
        seen_actions = [r for r in view.history if isinstance(r, ActionRecord) and r.actor == suspect]
        seen_messages = {r.index for r in view.history if isinstance(r, Message)}
        seen_indexes = {r.index for r in view.history if isinstance(r, ActionRecord)}
        schema = verdict_schema(subjects)
        messages: list[BaseMessage] = [
            self._system,
            HumanMessage(render_observation(view, self.world, self.people)),
            HumanMessage(render_verdict_request(self.world, suspect, subjects, seen_actions, self.people)),
        ]
        reply, error = Reply(""), ""
        attempts = self.client.spec.repairs + 1
        for _ in range(attempts):
            try:
                reply = await self.client.complete(messages, self.strategy, schema, self.role, view.turn)
            except TransientModelError as exc:
                return _no_verdict(reply, f"model call failed: {exc}", reply.text or None)
            if reply.unclosed:
                return _no_verdict(reply, UNCLOSED_THINK, None)
            try:
                accusations = read_verdict(reply.text, subjects, seen_messages, seen_indexes)
            except ValueError as exc:
                error = str(exc)
                repair = HumanMessage(f"That verdict was not usable: {error}. Reply with only the JSON object.")
                messages = [*messages, AIMessage(reply.text), repair]
                continue
            return VerdictResult(accusations=accusations, raw=reply.text, reasoning=reply.reasoning)
        return _no_verdict(reply, f"invalid verdict after {attempts} attempts: {error}", reply.text)


def _no_verdict(reply: Reply, error: str, raw: str | None) -> VerdictResult:
    """An invalid verdict keeping the last reply's reasoning."""
    return VerdictResult(accusations=None, raw=raw, error=error, reasoning=reply.reasoning)


def _invalid(reply: Reply, error: str, raw: str | None) -> MindResult:
    """An invalid turn keeping the last reply's reasoning."""
    return MindResult(decision=None, raw=raw, error=error, reasoning=reply.reasoning)
