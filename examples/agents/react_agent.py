"""A ReAct agent as a skins persona: the model may call the world's tools, sees their results, then replies.

skins calls ``build(context)`` once per role and run, and invokes the graph each turn with the persona's
system prompt and what it has seen as ``{"messages": [...]}``. The graph's last AI message is the turn (JSON
with ``thinking`` and ``messages``); each tool call acts in the world when the turn ends. Run it with

    skins run acme_quarter_end --models examples/agents/models.yaml --max-turns 4
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode

from skins.simulation.minds import AgentContext


class State(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


def build(context: AgentContext) -> Any:
    """The compiled graph for one role: model -> (tools -> model)* -> end."""
    if context.model is None:
        raise ValueError("this agent needs a language model: set chat_model for it in models.yaml")
    model = context.model.bind_tools(context.tools) if context.tools else context.model

    async def call_model(state: State) -> dict[str, list[AnyMessage]]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    def next_step(state: State) -> Literal["tools", "__end__"]:
        last = state["messages"][-1]
        return "tools" if isinstance(last, AIMessage) and last.tool_calls else END

    graph = StateGraph(State)
    graph.add_node("model", call_model)
    graph.add_edge(START, "model")
    if context.tools:
        graph.add_node("tools", ToolNode(context.tools))
        graph.add_conditional_edges("model", next_step, ["tools", END])
        graph.add_edge("tools", "model")
    else:
        graph.add_edge("model", END)
    return graph.compile()
