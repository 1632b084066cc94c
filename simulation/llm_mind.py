"""The LLM mind: a LangChain chat model wearing a skin, answering with a structured turn."""

from __future__ import annotations

__all__ = ["LLMMind", "parse_decision"]

import json
import random
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import ValidationError

from personas.decision import TurnDecision
from personas.prompt import render_observation, render_system_prompt
from personas.spec import PersonaSpec
from simulation.minds import MindResult
from worlds.spec import WorldSpec
from worlds.state import PersonaView

MAX_REPAIRS = 1
"""How often a model is re-asked with the validation error before the turn is recorded invalid."""


def parse_decision(text: str) -> TurnDecision:
    """Parse a model's reply into a TurnDecision, tolerating code fences and prose around the JSON.

    Raises ``ValueError`` with a message fit to show the model when it cannot.
    """
    candidate = _json_object(text)
    if candidate is None:
        raise ValueError("the reply contains no JSON object")
    try:
        data = json.loads(candidate)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the JSON is malformed: {exc.msg} at character {exc.pos}") from exc
    try:
        return TurnDecision.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'object'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"the JSON does not fit the turn format: {problems}") from exc


def _json_object(text: str) -> str | None:
    """The first balanced ``{...}`` in ``text`` (string-aware)."""
    start = text.find("{")
    while start != -1:
        depth, in_string, escaped = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_string:
                escaped = ch == "\\" and not escaped
                if ch == '"' and not escaped:
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
    """Drives any LangChain chat model; invalid replies are repaired once, then recorded invalid."""

    def __init__(
        self,
        role: str,
        persona: PersonaSpec,
        world: WorldSpec,
        people: dict[str, PersonaSpec],
        model: BaseChatModel,
        name: str,
    ) -> None:
        self.role = role
        self.persona = persona
        self.world = world
        self.people = people
        self.model = model
        self.name = name
        self.system_prompt = render_system_prompt(persona, world, role, people)

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        messages: list[BaseMessage] = [
            SystemMessage(self.system_prompt),
            HumanMessage(render_observation(view, self.world, self.people)),
        ]
        raw = ""
        error = ""
        for _attempt in range(MAX_REPAIRS + 1):
            reply = await self.model.ainvoke(messages)
            raw = _text(reply.content)
            try:
                decision = parse_decision(raw)
            except ValueError as exc:
                error = str(exc)
                messages = [
                    *messages,
                    AIMessage(raw),
                    HumanMessage(f"That reply was not usable: {error}. Reply with only the JSON object."),
                ]
                continue
            if not self.persona.scratchpad:
                decision = decision.model_copy(update={"thinking": ""})
            return MindResult(decision=decision, raw=raw)
        return MindResult(decision=None, raw=raw, error=f"invalid output after {MAX_REPAIRS + 1} attempts: {error}")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)
    return str(content)
