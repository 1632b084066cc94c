"""Test doubles. A scripted chat model that answers from a per-persona script and raises when it runs out."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from skins.simulation.engine import RunContext, build_graph, initial_state, recursion_limit
from skins.simulation.minds import LLMMind, Mind, PolicyMind
from skins.simulation.models import CallRecord, ModelClient, ModelSpec, ResponseCache, RunCalls
from skins.worlds import Record
from skins.worlds.library import World


class ScriptExhaustedError(AssertionError):
    """The code under test asked the fake for more replies than scripted."""


class ScriptedChatModel(BaseChatModel):
    """Replies with the next scripted text for the persona named in the system prompt.

    ``scripts`` maps a role id to its replies. The role is found from the
    system prompt's ``(role id "X")``. Received messages are recorded (copied)
    and never mutated. Running out raises instead of restarting.
    """

    scripts: dict[str, list[str]]
    calls: list[tuple[str, list[BaseMessage]]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _role(self, messages: Sequence[BaseMessage]) -> str:
        system = str(messages[0].content)
        marker = '(role id "'
        start = system.index(marker) + len(marker)
        return system[start : system.index('"', start)]

    def _reply(self, messages: list[BaseMessage]) -> ChatResult:
        role = self._role(messages)
        used = sum(1 for r, _ in self.calls if r == role)
        script = self.scripts.get(role, [])
        if used >= len(script):
            raise ScriptExhaustedError(
                f"no scripted reply left for {role!r} (call {used + 1}, script has {len(script)})"
            )
        self.calls.append((role, [m.model_copy() for m in messages]))
        prompt_tokens = sum(len(str(m.content)) for m in messages) // 4
        usage = {"input_tokens": prompt_tokens, "output_tokens": len(script[used]) // 4}
        usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
        message = AIMessage(content=script[used], usage_metadata=usage)  # type: ignore[arg-type]  # a UsageMetadata dict
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._reply(messages)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._reply(messages)


def run_world(world: World, minds: dict[str, Mind], seed: int = 0) -> list[Record]:
    """Run the engine directly (no store) and return every record; also checks the sink saw them all."""
    sunk: list[Record] = []
    state = initial_state(world)
    context = RunContext(world=world, minds=minds, sink=sunk.extend, seed=seed)
    final = asyncio.run(
        build_graph().ainvoke(state, context=context, config={"recursion_limit": recursion_limit(world)})
    )
    records: list[Record] = final["records"]
    assert records[len(state["records"]) :] == sunk, "every record must reach the sink, in order"
    return records


def policy_minds(world: World) -> dict[str, Mind]:
    return {role: PolicyMind(role, world.personas[role], world.spec) for role in world.spec.cast}


def llm_minds(
    world: World, model: BaseChatModel, spec: ModelSpec | None = None, cache: ResponseCache | None = None, seed: int = 0
) -> tuple[dict[str, Mind], list[CallRecord]]:
    """LLM minds for every role sharing one run's call bookkeeping; also returns the recorded calls."""
    records: list[CallRecord] = []
    calls = RunCalls(seed=seed, cache=cache, sink=records.append)
    settings = spec or ModelSpec(backend="openai", model="fake", strategy="prompt", base_url="http://127.0.0.1:9/v1")
    client = ModelClient(settings, model, calls)
    minds: dict[str, Mind] = {
        r: LLMMind(r, world.personas[r], world.spec, world.personas, client) for r in world.spec.cast
    }
    return minds, records


class Raising(BaseChatModel):
    """A chat model whose every call raises ``error`` (fault injection)."""

    error: Exception
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "raising-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.calls += 1
        raise self.error


def shorten(world: World, turns: int) -> World:
    """The world cut to ``turns`` turns, keeping only the events that still fire."""
    spec = world.spec.model_copy(
        update={
            "turns": world.spec.turns.model_copy(update={"max": turns}),
            "events": [e for e in world.spec.events if e.turn <= turns],
        }
    )
    return world.model_copy(update={"spec": spec})
