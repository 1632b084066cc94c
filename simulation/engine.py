"""The simulation engine: one LangGraph ``StateGraph`` per run.

Nodes are coroutines so that they run on the event loop (no executor threads),
which keeps many concurrent runs cheap and the store single-threaded.

schedule -> act -> apply -> schedule ... until the world's termination. The
state holds only the run's records (appended through a reducer) and the turn
in progress; the world, the minds, the RNG and the record sink are per-run
dependencies passed as the runtime context.
"""

from __future__ import annotations

__all__ = [
    "RunContext",
    "RunState",
    "build_graph",
    "initial_state",
    "make_act_node",
    "make_apply_node",
    "make_schedule_node",
]

import operator
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, NotRequired, Protocol, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from simulation.apply import apply_decision, deliver
from simulation.minds import Mind, MindResult
from worlds.library import World
from worlds.records import Message, Record
from worlds.state import WorldState, initial_knowledge


class RunState(TypedDict):
    records: Annotated[list[Record], operator.add]
    """Everything the run produced so far, in order."""
    actor: str | None
    """The role acting in the turn in progress."""
    now: int
    """The turn in progress (persona turns are numbered from 1)."""
    result: MindResult | None
    """The actor's decision, between ``act`` and ``apply``."""
    done: bool
    interrupted: NotRequired[bool]
    """The run stopped early on request; it is resumable."""


@dataclass
class RunContext:
    """Fixed dependencies of one run."""

    world: World
    minds: dict[str, Mind]
    rng: random.Random
    sink: Callable[[list[Record]], None]
    """Commits records durably as they are produced (the run store)."""
    stop: Callable[[], bool] = lambda: False
    """Asked before each turn: True ends the run early as interrupted (a drain on Ctrl-C)."""


class Node(Protocol):
    """A graph node: reads the state, gets per-run dependencies from the runtime, returns an update."""

    def __call__(self, state: RunState, *, runtime: Runtime[RunContext]) -> Awaitable[dict[str, Any]]: ...


def initial_state(world: World) -> RunState:
    """The state before the first turn: the world's initial knowledge."""
    return {"records": list(initial_knowledge(world.spec)), "actor": None, "now": 0, "result": None, "done": False}


def _state(world: World, state: RunState) -> WorldState:
    return WorldState.replay(world.spec, state["records"])


def make_schedule_node() -> Node:
    """Fire the next turn's scripted events and pick who acts, or end the run."""

    async def schedule(state: RunState, *, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = runtime.context
        spec = ctx.world.spec
        world = _state(ctx.world, state)
        now = world.turn + 1
        if now > spec.turns.max:
            return {"done": True, "actor": None}
        if ctx.stop():
            return {"done": True, "actor": None, "interrupted": True}
        fired: list[Record] = []
        for event in (e for e in spec.events if e.turn == now):
            msg = Message(
                index=len(world.messages),
                turn=now,
                sender=event.from_,
                to=list(event.to),
                text=event.text,
                asks_about=event.asks_about,
                scripted=True,
            )
            batch: list[Record] = [msg, *deliver(spec, msg)]
            for record in batch:
                world.add(record)
                fired.append(record)
        if fired:
            ctx.sink(fired)
        actor = _pick_actor(world, now)
        if actor is None:
            return {"records": fired, "done": True, "actor": None}
        return {"records": fired, "actor": actor, "now": now, "done": False}

    return schedule


def _pick_actor(world: WorldState, now: int) -> str | None:
    spec = world.spec
    roles = list(spec.cast)
    if spec.turns.order == "addressed_first":
        waiting = [(unread[0].index, roles.index(r), r) for r in roles if (unread := world.unread(r))]
        if waiting:
            return min(waiting)[2]
        if spec.turns.stop_when_idle and not any(e.turn > now for e in spec.events):
            return None
    elif (
        spec.turns.stop_when_idle
        and not any(world.unread(r) for r in roles)
        and not any(e.turn > now for e in spec.events)
    ):
        return None
    last = world.turns[-1].role if world.turns else None
    return roles[(roles.index(last) + 1) % len(roles)] if last is not None else roles[0]


def make_act_node() -> Node:
    """Ask the actor's mind for a decision about the turn in progress."""

    async def act(state: RunState, *, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = runtime.context
        actor = state["actor"]
        assert actor is not None  # schedule only routes here with an actor
        view = _state(ctx.world, state).view_for(actor, state["now"])
        result = await ctx.minds[actor].decide(view, ctx.rng)
        return {"result": result}

    return act


def make_apply_node() -> Node:
    """Execute the decision in the world, record it, and commit the turn."""

    async def apply(state: RunState, *, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = runtime.context
        actor, result = state["actor"], state["result"]
        assert actor is not None and result is not None  # act always precedes apply
        records = apply_decision(_state(ctx.world, state), ctx.world, actor, state["now"], result)
        ctx.sink(records)
        return {"records": records, "result": None, "actor": None}

    return apply


def _route(state: RunState) -> str:
    return END if state["done"] else "act"


def build_graph() -> CompiledStateGraph[RunState, RunContext, RunState, RunState]:
    """The per-run graph; invoke with ``context=RunContext(...)``."""
    graph = StateGraph(RunState, context_schema=RunContext)
    graph.add_node("schedule", make_schedule_node())
    graph.add_node("act", make_act_node())
    graph.add_node("apply", make_apply_node())
    graph.add_edge(START, "schedule")
    graph.add_conditional_edges("schedule", _route, ["act", END])
    graph.add_edge("act", "apply")
    graph.add_edge("apply", "schedule")
    return graph.compile()


def recursion_limit(world: World) -> int:
    """Three graph steps per turn plus slack."""
    return 3 * world.spec.turns.max + 10
