"""The LLM mind: a chat model wearing a skin, answering with a structured turn.

Unreliable output is expected: the reply is parsed tolerantly, sent back with
the validation error a bounded number of times, and otherwise recorded as an
invalid turn with the raw output and the reason. Transport failures that
outlast their retries are recorded the same way; permanent ones fail the run.
"""

from __future__ import annotations

__all__ = ["LLMMind", "find_json_object", "parse_decision"]

import json
import random

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import ValidationError

from skins.personas import PersonaSpec, TurnDecision
from skins.simulation.minds.base import MindResult
from skins.simulation.models import ModelClient, TransientModelError, choose_strategy, per_sweep, turn_schema
from skins.worlds import PersonaView, WorldSpec, render_observation, render_system_prompt


def parse_decision(text: str) -> TurnDecision:
    """Parse a model's reply into a TurnDecision, tolerating code fences and prose around the JSON.

    Raises ``ValueError`` with a message fit to show the model when it cannot.
    """
    candidate = find_json_object(text)
    if candidate is None:
        raise ValueError("the reply contains no JSON object" if text.strip() else "the reply is empty")
    try:
        data = json.loads(candidate)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the JSON is malformed: {exc.msg} at character {exc.pos}") from exc
    if isinstance(data, dict) and {"type", "properties"} <= set(data):
        raise ValueError("the reply repeats the JSON schema instead of filling it in")
    try:
        return TurnDecision.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'object'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"the JSON does not fit the turn format: {problems}") from exc


_DECODER = json.JSONDecoder()


def find_json_object(text: str) -> str | None:
    """The first balanced ``{...}`` in ``text`` (string-aware)."""
    start = text.find("{")
    if start == -1:
        return None
    try:  # the usual case, a valid object: found by the C decoder, not a Python loop over every character
        _, end = _DECODER.raw_decode(text, start)
        return text[start:end]
    except json.JSONDecodeError:
        return _balanced_braces(text, start)


def _balanced_braces(text: str, start: int) -> str | None:
    """The first balanced ``{...}`` at or after ``start``, valid JSON or not (string-aware)."""
    while start != -1:
        depth, in_string, escaped = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
                continue
            if ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return text[start : i + 1]
        start = text.find("{", start + 1)
    return None


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
        messages: list[BaseMessage] = [
            self._system,
            HumanMessage(render_observation(view, self.world, self.people)),
        ]
        raw, error = "", ""
        attempts = self.client.spec.repairs + 1
        for _ in range(attempts):
            try:
                raw = await self.client.complete(messages, self.strategy, self.schema, self.role, view.turn)
            except TransientModelError as exc:
                return MindResult(decision=None, raw=raw or None, error=f"model call failed: {exc}")
            try:
                decision = parse_decision(raw)
            except ValueError as exc:
                error = str(exc)
                repair = HumanMessage(f"That reply was not usable: {error}. Reply with only the JSON object.")
                messages = [*messages, AIMessage(raw), repair]
                continue
            if not self.persona.scratchpad:
                decision = decision.model_copy(update={"thinking": ""})
            return MindResult(decision=decision, raw=raw)
        return MindResult(decision=None, raw=raw, error=f"invalid output after {attempts} attempts: {error}")
