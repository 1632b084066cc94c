"""Test doubles for agent minds: a chat model that can call tools, and agents that fail or run as is."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from langgraph.graph import END, START, MessagesState, StateGraph
from pydantic import Field

from skins.simulation.minds import AgentContext


class ToolScriptExhausted(AssertionError):
    """The agent asked the fake for more replies than scripted."""


class ToolCallingChatModel(BaseChatModel):
    """Replies, per role (read from the system prompt's ``(role id "X")``), with the next scripted message:
    text, or an AIMessage that may carry tool calls. Raises when a role's script runs out; records what it
    received (copied, never mutated) and the tools bound to each call."""

    scripts: dict[str, list[str | AIMessage]]
    calls: list[tuple[str, list[BaseMessage]]] = Field(default_factory=list)
    bound: list[list[str]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "tool-calling-fake"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, AIMessage]:
        return self.bind(tools=[t.name for t in tools], **kwargs)

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        system = str(messages[0].content)
        start = system.index('(role id "') + len('(role id "')
        role = system[start : system.index('"', start)]
        used = sum(1 for r, _ in self.calls if r == role)
        script = self.scripts.get(role, [])
        if used >= len(script):
            raise ToolScriptExhausted(f"no scripted reply left for {role!r} (call {used + 1})")
        self.calls.append((role, [m.model_copy() for m in messages]))
        self.bound.append(list(kw.get("tools", [])))
        reply = script[used]
        message = reply.model_copy() if isinstance(reply, AIMessage) else AIMessage(content=reply)
        words = sum(len(str(m.content).split()) for m in messages)
        message.usage_metadata = {"input_tokens": words, "output_tokens": 7, "total_tokens": words + 7}
        return ChatResult(generations=[ChatGeneration(message=message)])


def tool_call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def failing_build(context: AgentContext) -> Runnable[Any, Any]:
    """An agent whose every turn raises in user code."""

    def boom(state: Any) -> Any:
        raise RuntimeError(f"the agent of {context.role} broke")

    return RunnableLambda(boom)


async def _call_first_tool(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    """A node of a precompiled graph: calls the role's first tool (from the config) and replies."""
    tools = config["configurable"]["skins_tools"]
    said = "I have nothing to run."
    if tools:
        result = await tools[0].ainvoke({})
        said = f"Ran {tools[0].name}: {result}"
    reply = json.dumps({"thinking": "Let me check.", "messages": [{"to": ["greg"], "text": said}]})
    return {"messages": [AIMessage(reply)]}


def _precompiled() -> Any:
    graph = StateGraph(MessagesState)
    graph.add_node("act", _call_first_tool)
    graph.add_edge(START, "act")
    graph.add_edge("act", END)
    return graph.compile()


precompiled_graph = _precompiled()
"""A compiled graph referenced as is (``agent_fakes:precompiled_graph``)."""
not_an_agent = 42
