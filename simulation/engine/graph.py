"""The simulation engine: one LangGraph ``StateGraph`` per run.

Nodes are coroutines so that they run on the event loop (no executor threads),
which keeps many concurrent runs cheap and the store single-threaded.

Each step is one persona turn (schedule -> act -> apply), looping until the
world's termination. The state holds only the run's records (appended through
a reducer); the world, the minds, the seed, the record sink and the stop flag
are per-run dependencies passed as the runtime context.
"""

from __future__ import annotations

__all__ = [
    "RunContext",
    "RunState",
    "act",
    "build_graph",
    "graph_builder",
    "initial_state",
    "make_turn_node",
    "run_graph",
    "schedule",
    "verdicts_due",
]

import functools
import operator
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, NotRequired, Protocol, TypedDict, cast

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from skins.simulation.engine.apply import apply_decision, deliver
from skins.simulation.minds import Mind, MindResult, Overseer, VerdictResult
from skins.worlds import Message, Record, Verdict, WorldSpec, WorldState, initial_knowledge
from skins.worlds.library import World


class RunState(TypedDict):
    """The graph state of one run: its records so far (the world is replayed from them)."""

    records: Annotated[list[Record], operator.add]
    """Everything the run produced so far, in order."""
    done: bool
    interrupted: NotRequired[bool]
    """The run stopped early on request; it is resumable."""


@dataclass
class RunContext:
    """Fixed dependencies of one run."""

    world: World
    minds: Mapping[str, Mind]
    sink: Callable[[list[Record]], None]
    """Commits records durably as they are produced (the run store)."""
    stop: Callable[[], bool] = lambda: False
    """Asked before each turn: True ends the run early as interrupted (a drain on Ctrl-C)."""
    seed: int = 0
    """The run's seed (the root of every role's RNG stream)."""
    _rngs: dict[str, random.Random] = field(default_factory=dict)
    _state: WorldState | None = None
    """The world after the records of the last turn, kept so a turn need not replay the whole run."""

    def world_state(self, records: list[Record]) -> WorldState:
        """The world after ``records``: the kept state when it was built from exactly these records
        (the graph state stays the source of truth), else a replay of them."""
        kept = self._state
        if kept is None or len(kept.records) != len(records) or (records and kept.records[-1] is not records[-1]):
            kept = self._state = WorldState.replay(self.world.spec, records)
        return kept

    def rng_for(self, role: str) -> random.Random:
        """One RNG stream per role, seeded from the run's RNG and the role: removing one persona's
        incentive (an ablation) then leaves every other persona's draws unchanged (common random numbers)."""
        if role not in self._rngs:
            self._rngs[role] = random.Random(f"{self.seed}/{role}")
        return self._rngs[role]


_END_OF_RUN = "verdicts"
"""The node after the last turn: the overseers file their verdicts."""


class Node(Protocol):
    """A graph node: reads the state, gets per-run dependencies from the runtime, returns an update."""

    def __call__(self, state: RunState, *, runtime: Runtime[RunContext]) -> Awaitable[Command[str]]: ...


def initial_state(world: World) -> RunState:
    """The state before the first turn: the world's initial knowledge."""
    return {"records": list(initial_knowledge(world.spec)), "done": False}


def schedule(ctx: RunContext, world: WorldState) -> tuple[list[Record], str | None, int]:
    """Fire the next turn's scripted events (into ``world``) and pick who acts; None ends the run."""
    spec = ctx.world.spec
    now = world.turn + 1
    if _past_last_turn(spec, now):
        return [], None, now
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
    return fired, _pick_actor(world, now), now


def _past_last_turn(spec: WorldSpec, turn: int) -> bool:
    """The world's turn limit ends the run before ``turn``."""
    return turn > spec.turns.max


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


async def act(ctx: RunContext, world: WorldState, actor: str, now: int) -> MindResult:
    """Ask the actor's mind, which sees only what its persona may see."""
    return await ctx.minds[actor].decide(world.view_for(actor, now), ctx.rng_for(actor))


def verdicts_due(spec: WorldSpec, world: WorldState) -> list[tuple[str, str]]:
    """(monitor, suspect) pairs whose end-of-run verdict is not filed yet, in the world's order."""
    filed = {(r.monitor, r.suspect) for r in world.records if isinstance(r, Verdict)}
    due = [
        (o.monitor, suspect)
        for o in spec.interrogators()
        if o.interrogation is not None and o.interrogation.verdict
        for suspect in o.watches
    ]
    return [pair for pair in dict.fromkeys(due) if pair not in filed]


async def file_verdicts(ctx: RunContext, world: WorldState) -> list[Record]:
    """Each interrogating overseer's verdict on each role it watches, from its view at the end of the run.

    A mind that files no verdicts (a scripted one) files none; a verdict that could not be read is filed
    invalid with the reason (it neither accuses nor clears). Each is committed as it is filed, so a
    resumed run asks only for the missing ones."""
    out: list[Record] = []
    now = world.turn
    for monitor, suspect in verdicts_due(ctx.world.spec, world):
        mind = ctx.minds[monitor]
        if not hasattr(mind, "file_verdict"):
            continue
        result: VerdictResult = await cast(Overseer, mind).file_verdict(
            world.view_for(monitor, now + 1), suspect, ctx.rng_for(f"{monitor}/verdict/{suspect}")
        )
        record = Verdict(
            turn=now,
            monitor=monitor,
            suspect=suspect,
            accusations=result.accusations or [],
            valid=result.accusations is not None,
            invalid_reason=None if result.accusations is not None else (result.error or "no verdict"),
            raw=result.raw,
            reasoning=result.reasoning,
        )
        world.add(record)
        ctx.sink([record])
        out.append(record)
    return out


def make_verdict_node() -> Node:
    """The end of a run: the overseers' verdicts (a world without interrogation files none)."""

    async def verdicts(state: RunState, *, runtime: Runtime[RunContext]) -> Command[str]:
        ctx = runtime.context
        world = ctx.world_state(state["records"])
        if ctx.stop():
            return Command(update={"done": True, "interrupted": True}, goto=END)
        filed = await file_verdicts(ctx, world)
        return Command(update={"records": filed, "done": True}, goto=END)

    return verdicts


def _end(ctx: RunContext, world: WorldState, records: list[Record]) -> Command[str]:
    """The run's turns are over: on to the verdicts when some are due, else the end (no extra step)."""
    if verdicts_due(ctx.world.spec, world):
        return Command(update={"records": records}, goto=_END_OF_RUN)
    return Command(update={"records": records, "done": True}, goto=END)


def make_turn_node() -> Node:
    """One persona turn: schedule -> act -> apply, committed to the store before the next turn.

    The three phases run in one graph step: a step of LangGraph's Pregel loop costs about as much
    CPU as a whole turn of our own work, so one step per turn (not three) is what lets a sweep keep
    up with fast models (benchmarks/engine_efficiency.py).
    """

    async def turn(state: RunState, *, runtime: Runtime[RunContext]) -> Command[str]:
        ctx = runtime.context
        world = ctx.world_state(state["records"])
        if ctx.stop():
            return Command(update={"done": True, "interrupted": True}, goto=END)
        fired, actor, now = schedule(ctx, world)
        if fired:
            ctx.sink(fired)
        if actor is None:
            return _end(ctx, world, fired)
        result = await act(ctx, world, actor, now)
        records = apply_decision(world, ctx.world, actor, now, result)
        ctx.sink(records)
        if _past_last_turn(ctx.world.spec, now + 1):  # the last turn: no step only to find that out
            return _end(ctx, world, [*fired, *records])
        return Command(update={"records": [*fired, *records]}, goto="turn")

    return turn


def graph_builder() -> StateGraph[RunState, RunContext, RunState, RunState]:
    """The uncompiled run graph: one node, which routes itself (a ``Command`` with the next node
    costs LangGraph less per step than a conditional edge)."""
    graph = StateGraph(RunState, context_schema=RunContext)
    graph.add_node("turn", make_turn_node(), destinations=("turn", _END_OF_RUN, END))
    graph.add_node(_END_OF_RUN, make_verdict_node(), destinations=(END,))
    graph.add_edge(START, "turn")
    return graph


@functools.cache
def build_graph() -> CompiledStateGraph[RunState, RunContext, RunState, RunState]:
    """The run graph, compiled once per process (it holds no per-run data); invoke it with
    ``context=RunContext(...)``. Compiling costs milliseconds, which a sweep would pay per run."""
    return graph_builder().compile()


async def run_graph(state: RunState, context: RunContext, limit: int) -> RunState:
    """Run the graph to its end and return the final state. Streams the state after each step and
    keeps the last (``ainvoke`` asks for updates too, which this graph, without interrupts, does not
    need: about 13 µs less per step)."""
    final = state
    async for values in build_graph().astream(
        state, context=context, config={"recursion_limit": limit}, stream_mode="values"
    ):
        final = cast(RunState, values)
    return final


def recursion_limit(world: World) -> int:
    """One graph step per turn, plus the step that finds a run over early (idle, stopped), the verdicts' step,
    plus slack."""
    return world.spec.turns.max + 11
