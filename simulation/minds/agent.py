"""Bring your own LangGraph agent: a compiled graph, or any LangChain runnable, playing a persona.

The backend ``langgraph`` names the agent by ``model``: ``package.module:attribute`` (imported with the
current directory first on the import path, as uvicorn does) or ``path/to/file.py:attribute`` (relative to
the current directory). The attribute is either

- a factory ``build(context: AgentContext) -> Runnable``, called once per role and run (on its first turn)
  with the role's tools, the language model of ``chat_model`` and the persona's system prompt; or
- a runnable (a compiled graph) used as it is: the role's tools then come each turn in
  ``config["configurable"]["skins_tools"]``.

Each turn the agent is invoked with ``{"messages": [SystemMessage(system prompt), HumanMessage(what the
persona has seen)]}``, a recursion limit and the spec's ``timeout`` for the whole turn. The world's tools
for the role are LangChain tools: a call is recorded as the turn's action and answered at once with the
result text the world gives it (``Rejected: ...`` included); the engine applies the actions after the turn,
through the same checks as every mind's, into the action log. The agent's last AI message is the turn:
JSON with ``thinking`` and ``messages`` (any ``actions`` in it come after the tool calls); its reasoning
(reasoning content blocks, ``reasoning_content``, a leading ``<think>`` block) is the turn's reasoning.
Anything the agent raises, a timeout, or a reply that is no turn makes the turn invalid, with the reason
(the last line of the exception's traceback); the run goes on. With a checkpointer compiled in, each role
of each run is one thread, so the agent remembers its own earlier turns.
"""

from __future__ import annotations

__all__ = ["AgentContext", "AgentMind", "load_agent"]

import asyncio
import contextlib
import importlib
import importlib.util
import os
import random
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import ValidationError

from skins.core import ConfigError, parse_json_model
from skins.personas import PersonaSpec, ToolCall, TurnDecision
from skins.simulation.minds.agent_usage import AgentUsage
from skins.simulation.minds.base import MindResult
from skins.simulation.models import UNCLOSED_THINK, CpuHold, ModelSpec, read_message, tool_args_schema
from skins.worlds import (
    ActionTool,
    CapabilityTask,
    PersonaView,
    WorldSpec,
    degenerate_reason,
    preview_result,
    render_observation,
    render_system_prompt,
)

RECURSION_LIMIT = 25
"""Graph steps per turn (LangGraph's default): a ReAct loop of about a dozen tool rounds."""
MAX_ACTIONS = next(m.max_length for m in TurnDecision.model_fields["actions"].metadata if hasattr(m, "max_length"))
"""Tool calls per turn (as many as a turn's ``actions`` may hold); later calls are refused, not recorded."""
TOOLS_KEY = "skins_tools"
"""Where a runnable used as is finds the role's tools: ``config["configurable"]["skins_tools"]``."""

AgentFactory = Callable[["AgentContext"], Any]
Agent = Runnable[Any, Any] | AgentFactory


@dataclass(frozen=True)
class AgentContext:
    """What a factory ``build(context)`` gets to build one role's agent for one run."""

    role: str
    """The role id it plays (e.g. ``dana``)."""
    tools: list[BaseTool]
    """The world's tools for that role; calling one acts in the world (applied when the turn ends)."""
    model: BaseChatModel | None
    """The language model of ``chat_model`` (its calls are recorded and priced), or None: bring your own."""
    system_prompt: str
    """The persona's system prompt in this world (also the first message of every turn's input)."""


def load_agent(reference: str) -> Agent:
    """The runnable or factory that ``module:attribute`` or ``file.py:attribute`` names; a ConfigError
    naming the reference when it cannot be imported or names neither."""
    where, _, attribute = reference.rpartition(":")
    if not where or not attribute:
        raise ConfigError(f"agent {reference!r}: write it as 'package.module:attribute' or 'path/to/file.py:attribute'")
    module = _import(where, reference)
    agent = getattr(module, attribute, None)
    if agent is None:
        public = sorted(n for n in vars(module) if not n.startswith("_"))[:20]
        raise ConfigError(f"agent {reference!r}: {where} has no attribute {attribute!r}; it has {public}")
    if isinstance(agent, Runnable):
        return agent
    if not callable(agent):
        raise ConfigError(
            f"agent {reference!r} is a {type(agent).__name__}: name a compiled LangGraph graph (or any "
            "LangChain runnable) or a factory build(context) that returns one"
        )
    factory: AgentFactory = agent
    return factory


def _import(where: str, reference: str) -> Any:
    """The module of an agent reference: a ``.py`` file (or any path) is loaded from its file, once."""
    try:
        if where.endswith(".py") or "/" in where or os.sep in where:
            return _import_file(Path(where).resolve(), reference)
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # like uvicorn: the project you run skins in is importable
        return importlib.import_module(where)
    except ConfigError:
        raise
    except Exception as exc:  # user code failing at import: one line naming the reference, no traceback
        raise ConfigError(f"agent {reference!r}: importing {where} failed: {last_line(exc)}") from None


def _import_file(path: Path, reference: str) -> Any:
    if not path.is_file():
        raise ConfigError(f"agent {reference!r}: no such file {path}")
    name = "skins_agent_" + re.sub(r"\W", "_", str(path))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"agent {reference!r}: {path} cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pydantic models in it look their module up
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def last_line(exc: BaseException, limit: int = 500) -> str:
    """The last line of an exception's traceback (``ValueError: bad input``), without the notes LangGraph
    adds (``During task with name ...``), on one line of at most ``limit`` characters."""
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = f"{kind.__module__}.{name}"
    text = " ".join(str(exc).split())
    line = f"{name}: {text}" if text else name
    return line if len(line) <= limit else line[: limit - 3] + "..."


class AgentMind:
    """Drives one user agent for one role of one run."""

    def __init__(
        self,
        role: str,
        persona: PersonaSpec,
        world: WorldSpec,
        people: dict[str, PersonaSpec],
        spec: ModelSpec,
        agent: Agent,
        model: BaseChatModel | None = None,
        usage: AgentUsage | None = None,
        cpu: CpuHold | None = None,
    ) -> None:
        self.role = role
        self.persona = persona
        self.world = world
        self.people = people
        self.spec = spec
        self.name = spec.ref
        self.system_prompt = render_system_prompt(persona, world, role, people, tools_as_calls=True)
        self.tools = _WorldTools(world, role)
        self._agent = agent
        self._runnable: Runnable[Any, Any] | None = agent if isinstance(agent, Runnable) else None
        self._model = model
        self._usage = usage
        self._cpu = cpu
        self._thread = f"{role}-{uuid.uuid4().hex}"  # a checkpointer's thread: this role in this run

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        self.tools.calls.clear()
        if self._usage is not None:
            self._usage.turn = view.turn
        messages: list[BaseMessage] = [
            SystemMessage(self.system_prompt),
            HumanMessage(render_observation(view, self.world, self.people)),
        ]
        config: RunnableConfig = {
            "recursion_limit": RECURSION_LIMIT,
            "configurable": {TOOLS_KEY: self.tools.tools, "thread_id": self._thread},
            "run_name": f"skins:{self.role}",
            "metadata": {"skins_role": self.role, "skins_turn": view.turn},
        }
        deadline = asyncio.timeout(self.spec.timeout)
        try:
            async with self._waiting(), deadline:
                output = await self._runnable_now().ainvoke({"messages": messages}, config=config)
        except Exception as exc:  # the agent is user code: whatever it raises ends this turn, not the run
            self._raise_refusal()
            if deadline.expired():
                return MindResult(decision=None, error=f"agent {self.name} timed out after {self.spec.timeout:g} s")
            return MindResult(decision=None, error=f"agent {self.name} failed: {last_line(exc)}")
        self._raise_refusal()
        return self._turn(output, list(self.tools.calls))

    def _runnable_now(self) -> Runnable[Any, Any]:
        """The agent, built by its factory on the role's first turn (raising like the agent itself)."""
        if self._runnable is None:
            context = AgentContext(self.role, self.tools.tools, self._model, self.system_prompt)
            built = self._agent(context)  # type: ignore[operator]  # not a Runnable, so the factory
            if not isinstance(built, Runnable):
                raise TypeError(f"{self.spec.model} returned a {type(built).__name__}, not a runnable")
            self._runnable = built
        return self._runnable

    def _waiting(self) -> contextlib.AbstractAsyncContextManager[None]:
        """The run's CPU gate let go while the agent runs: it mostly waits on models (as a call does)."""
        return self._cpu.paused() if self._cpu is not None else contextlib.nullcontext()

    def _raise_refusal(self) -> None:
        """A budget refusal met inside the agent stops the run, whatever the agent made of it."""
        if self._usage is not None and self._usage.refused is not None:
            raise self._usage.refused

    def _turn(self, output: Any, calls: list[ToolCall]) -> MindResult:
        """The agent's last message as the turn, after its tool calls."""
        last = _last_message(output)
        if isinstance(last, str):
            return MindResult(decision=None, error=f"agent {self.name}: {last}")
        reply = read_message(last)
        reasoning, text = reply.reasoning, reply.text
        if reply.unclosed:
            return MindResult(decision=None, raw=None, error=UNCLOSED_THINK, reasoning=reasoning)
        try:
            parsed = parse_json_model(text, TurnDecision, "the turn format")
            decision = TurnDecision(
                thinking=parsed.thinking, messages=parsed.messages, actions=[*calls, *parsed.actions]
            )
        except ValidationError as exc:  # the tool calls and the reply's actions together: too many
            error = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            return MindResult(decision=None, raw=text, error=f"invalid output: {error}", reasoning=reasoning)
        except ValueError as exc:
            return MindResult(decision=None, raw=text, error=f"invalid output: {exc}", reasoning=reasoning)
        degenerate = degenerate_reason(decision, self.world, reasoning)
        if degenerate is not None:
            return MindResult(decision=None, raw=text, error=degenerate, reasoning=reasoning)
        if not self.persona.scratchpad:
            decision = decision.model_copy(update={"thinking": ""})
        return MindResult(decision=decision, raw=text, reasoning=reasoning)


def _last_message(output: Any) -> AIMessage | str:
    """The agent's final AI message, or why there is none."""
    if isinstance(output, dict) and isinstance(output.get("messages"), list) and output["messages"]:
        output = output["messages"][-1]
    if isinstance(output, str):
        return AIMessage(output)
    if isinstance(output, AIMessage):
        return output
    if isinstance(output, BaseMessage):
        return f"its last message is a {type(output).__name__}, not the AI reply that is the turn"
    return f"it returned a {type(output).__name__}; return a state with 'messages' ending in the AI reply"


class _WorldTools:
    """The world's tools of one role as LangChain tools; each call is recorded for the engine to apply."""

    def __init__(self, world: WorldSpec, role: str) -> None:
        self.world = world
        self.role = role
        self.calls: list[ToolCall] = []
        """This turn's calls, in the order made."""
        self.tools: list[BaseTool] = [self._tool(tid, tool) for tid, tool in world.tools_of(role).items()]

    def call(self, tool_id: str, args: dict[str, Any]) -> str:
        """Record the call (applied when the turn ends) and answer what the world will answer."""
        if len(self.calls) >= MAX_ACTIONS:
            return f"Not done: a turn holds at most {MAX_ACTIONS} tool calls. Reply now."
        self.calls.append(ToolCall(tool=tool_id, args=args))
        return preview_result(self.world, self.role, tool_id, args)

    def _tool(self, tool_id: str, tool: ActionTool | CapabilityTask) -> BaseTool:
        def run(**args: Any) -> str:
            return self.call(tool_id, args)

        async def arun(**args: Any) -> str:
            return self.call(tool_id, args)

        return StructuredTool.from_function(
            func=run,
            coroutine=arun,
            name=tool_id,
            description=_description(tool),
            args_schema=tool_args_schema(tool),
        )


def _description(tool: ActionTool | CapabilityTask) -> str:
    if isinstance(tool, CapabilityTask):
        questions = "; ".join(f"{i}. {q.question}" for i, q in enumerate(tool.questions, 1))
        return f"{tool.description} Call it with 'answers', one per question, in order. Questions: {questions}"
    return tool.description
