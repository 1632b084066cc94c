"""Engine efficiency under model latency: how close a sweep gets to the ideal wall time.

A fake chat model answers every call after a fixed latency L (optionally lognormal jitter) with a
valid turn. N runs x P personas x T turns (each persona takes T turns, round robin: a run is a chain
of P*T calls) run at concurrency C through the real stack: LLM minds, the model-call layer (limits,
retries, usage), the LangGraph engine and the SQLite store with every turn committed (durability on)
and the response cache on. Ideal wall time is max(calls * L / C, P * T * L); with jitter the longest
run's own chain of sampled latencies is also printed, and the efficiency against it.

``--run-turns R`` sets a run's turns directly instead of P * T: ``--run-turns 10`` is the shorter
sweep earlier notes measured (640 calls, ideal 1 s), where each run's start-up weighs 4x as much.

Reported: efficiency = ideal / measured, engine CPU per call (process CPU time / calls), peak RSS,
store bytes per turn.

Run: .venv/bin/python benchmarks/engine_efficiency.py [--runs 64] [--personas 4] [--turns 10]
     [--run-turns R] [--concurrency 64] [--latency 0.1] [--jitter 0.0] [--processes 1] [--repeat 1]

``--repeat K`` runs K fresh processes (each a whole cold sweep) and adds the median, minimum and
maximum: on a shared 2-core VM the engine's CPU per call varies by up to 2x between minutes, and
efficiency with it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from skins.simulation.minds import LLMMind, Mind, MindFactory, register_backend
from skins.simulation.models import (
    ModelClient,
    ModelSpec,
    ResponseCache,
    RunCalls,
    per_sweep,
)
from skins.simulation.runs import RunOptions, execute_specs, plan_runs
from skins.simulation.store import Store
from skins.worlds import CastEntry, TurnsSpec
from skins.worlds.library import World, load_world

REPLY = '{"thinking": "Noted.", "messages": []}'


class LatencyChat(BaseChatModel):
    """Answers after ``latency`` seconds (times a lognormal factor when ``jitter`` > 0)."""

    latency: float
    jitter: float = 0.0
    rngs: dict[int, random.Random] = Field(default_factory=dict)
    """Run seed -> its stream of jitter factors (one model serves a whole sweep, as real backends do)."""

    @property
    def _llm_type(self) -> str:
        return "latency-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        raise NotImplementedError("async only")

    async def _agenerate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        rng = self.rngs.setdefault(kw["seed"], random.Random(kw["seed"]))
        factor = rng.lognormvariate(0.0, self.jitter) if self.jitter else 1.0
        await asyncio.sleep(self.latency * factor)
        usage = {"input_tokens": 500, "output_tokens": 20, "total_tokens": 520}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=REPLY, usage_metadata=usage))])  # type: ignore[arg-type]


def _world(personas: int, turns: int) -> World:
    base = load_world("acme_quarter_end")
    roles = list(base.spec.cast)[:personas]
    cast = {r: CastEntry(persona=base.spec.cast[r].persona) for r in roles}
    spec = base.spec.model_copy(
        update={
            "cast": cast,
            "events": [],
            "incentives": {},
            "tools": {},
            "oversight": [],
            "reports_to": {},
            "knows": {},
            "turns": TurnsSpec(order="round_robin", max=turns),
        }
    )
    return World(spec=spec, personas={r: base.personas[r] for r in roles})


def _use_checkpointer() -> None:
    """Compile the run graph with LangGraph's in-memory checkpointer (a lower bound on any checkpointer's cost)."""
    from langgraph.checkpoint.memory import InMemorySaver

    import skins.simulation.engine.graph as engine

    compiled = engine.graph_builder().compile(checkpointer=InMemorySaver())

    class Checkpointed:
        """Adds the thread id a checkpointer needs (one thread per run)."""

        def astream(self, state: Any, context: Any, config: dict[str, Any], **kw: Any) -> Any:
            thread = {"configurable": {"thread_id": str(id(context))}}
            return compiled.astream(state, context=context, config={**config, **thread}, **kw)

    engine.build_graph = lambda: Checkpointed()  # type: ignore[assignment]  # benchmark-only substitution


def _longest_chain(args: argparse.Namespace) -> float:
    """The longest run's own model time: the sum of its calls' latencies, as LatencyChat draws them (one
    Random(seed) per run, one draw per call). With jitter, no schedule can finish before this,
    whatever the ideal formula says."""
    longest = 0.0
    for seed in range(args.runs):
        rng = random.Random(seed)
        draws = [rng.lognormvariate(0.0, args.jitter) if args.jitter else 1.0 for _ in range(_run_turns(args))]
        longest = max(longest, args.latency * sum(draws))
    return longest


def _run_turns(args: argparse.Namespace) -> int:
    """Turns per run: P * T, unless ``--run-turns`` says otherwise."""
    return int(args.run_turns or args.personas * args.turns)


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=64)
    parser.add_argument("--personas", type=int, default=4)
    parser.add_argument("--turns", type=int, default=10, help="turns per persona (T)")
    parser.add_argument("--run-turns", type=int, default=None, help="turns per run instead of P * T")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--jitter", type=float, default=0.0)
    parser.add_argument("--processes", type=int, default=1, help="worker processes (RunOptions.processes)")
    parser.add_argument(
        "--checkpointer",
        choices=["none", "memory"],
        default="none",
        help="memory: also checkpoint every graph step with LangGraph's InMemorySaver (to measure its cost)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="run K fresh processes and summarise them")
    args = parser.parse_args()
    if args.repeat > 1:
        _repeat(args)
        return
    if args.checkpointer == "memory":
        _use_checkpointer()

    @register_backend("latency")
    def _latency(spec: ModelSpec) -> MindFactory:
        def make(role: str, world: World, calls: RunCalls) -> Mind:  # as skins.simulation.minds.registry._llm_minds
            chat = per_sweep(("latency-chat", id(spec)), lambda: LatencyChat(latency=args.latency, jitter=args.jitter))
            client = ModelClient(spec, chat, calls, call_options={"seed": calls.seed})
            return LLMMind(role, world.personas[role], world.spec, world.personas, client)

        return make

    spec = ModelSpec(backend="latency", model="fake", strategy="prompt", max_concurrency=args.concurrency)
    plans = plan_runs(_world(args.personas, _run_turns(args)), range(args.runs), {"default": spec})
    with tempfile.TemporaryDirectory() as folder:
        cache = ResponseCache(Path(folder) / "cache.db")
        options = RunOptions(cache=cache, concurrency=args.concurrency, processes=args.processes)
        with Store(Path(folder) / "out") as store:
            cpu0, wall0 = _cpu(), time.perf_counter()
            outcomes = asyncio.run(execute_specs(plans, store, options))
            wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
            calls = store.usage().calls
            turns = sum(o.turns for o in outcomes)
        size = sum(p.stat().st_size for p in (Path(folder) / "out").iterdir())
    ideal = max(calls * args.latency / args.concurrency, _run_turns(args) * args.latency)
    rss = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(
        f"N={args.runs} P={args.personas} T={args.turns} ({_run_turns(args)} turns per run) "
        f"C={args.concurrency} L={args.latency}s "
        f"jitter={args.jitter} checkpointer={args.checkpointer} processes={args.processes}"
    )
    print(f"runs done={sum(o.status == 'done' for o in outcomes)} turns={turns} calls={calls}")
    print(f"ideal={ideal:.2f}s measured={wall:.2f}s efficiency={ideal / wall:.2f}")
    chain = _longest_chain(args)
    print(f"longest run's own latency chain={chain:.2f}s; efficiency vs it={max(ideal, chain) / wall:.2f}")
    print(
        f"engine CPU per call={1000 * cpu / calls:.2f} ms (all processes); peak RSS={rss:.0f} MiB (largest process); "
        f"store bytes/turn={size / turns:.0f}"
    )


def _repeat(args: argparse.Namespace) -> None:
    """Run this benchmark ``args.repeat`` times in fresh processes; print each result and a summary."""
    times = args.repeat
    argv = [f"--{k.replace('_', '-')}={v}" for k, v in vars(args).items() if k != "repeat" and v is not None]
    found: list[tuple[float, float]] = []
    for i in range(times):
        out = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True, check=True).stdout
        efficiency = float(re.search(r" efficiency=([0-9.]+)", out).group(1))  # type: ignore[union-attr]
        per_call = float(re.search(r"per call=([0-9.]+) ms", out).group(1))  # type: ignore[union-attr]
        found.append((efficiency, per_call))
        print(f"run {i + 1}: efficiency={efficiency:.2f} engine CPU per call={per_call:.2f} ms")
    effs = [e for e, _ in found]
    print(
        f"over {times} runs: efficiency median={statistics.median(effs):.2f} min={min(effs):.2f} max={max(effs):.2f}; "
        f"engine CPU per call median={statistics.median(c for _, c in found):.2f} ms"
    )


if __name__ == "__main__":
    main()
