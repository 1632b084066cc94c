"""The run pipeline's fast paths keep their promises: durable turns before each call,
FIFO hand-over of the CPU, the kept world state equal to a replay, the direct model path equal to ainvoke."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fakes import llm_minds, policy_minds, run_world, shorten
from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from skins.simulation.minds import LLMMind, Mind, MindFactory, registered_backend
from skins.simulation.models import (
    CallRecord,
    CpuGate,
    ModelClient,
    ModelSpec,
    ResponseCache,
    RunCalls,
)
from skins.simulation.runs import RunOptions, execute_run, plan_runs
from skins.simulation.store import DB_NAME, Store
from skins.worlds import WorldState
from skins.worlds.library import World, load_world

REPLY = '{"thinking": "Noted.", "messages": [{"to": ["all"], "text": "Status update."}]}'


@pytest.fixture(scope="module")
def acme() -> World:
    return load_world("acme_quarter_end")


class Replying(BaseChatModel):
    """Answers every call with ``REPLY`` and usage; ``on_call`` runs first (to look at the store)."""

    on_call: Any = None
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "replying-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        raise NotImplementedError("async only")

    async def _agenerate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        if self.on_call is not None:
            self.on_call()
        self.seen.append(list(messages))
        await asyncio.sleep(0)
        usage = {"input_tokens": 50, "output_tokens": 7, "total_tokens": 57}
        message = AIMessage(content=REPLY, usage_metadata=usage)  # type: ignore[arg-type]  # a UsageMetadata dict
        return ChatResult(generations=[ChatGeneration(message=message)])


def _latency_backend(name: str, on_call: Any) -> contextlib.AbstractContextManager[Any]:
    """A backend of ``Replying`` models, registered as ``name`` inside the ``with`` block."""

    def _factory(spec: ModelSpec) -> MindFactory:
        def make(role: str, world: World, calls: RunCalls) -> Mind:
            client = ModelClient(spec, Replying(on_call=on_call), calls)
            return LLMMind(role, world.personas[role], world.spec, world.personas, client)

        return make

    return registered_backend(name, _factory)


def test_every_finished_turn_is_committed_before_the_next_model_call(acme: World, tmp_path: Path) -> None:
    """What another process (a resume after kill -9) can read when each request goes out."""
    seen: list[tuple[int, int, int]] = []

    def look() -> None:
        with sqlite3.connect(tmp_path / "out" / DB_NAME) as db:
            (turns,) = db.execute("SELECT COUNT(*) FROM turns").fetchone()
            (calls,) = db.execute("SELECT COUNT(*) FROM calls").fetchone()
        with sqlite3.connect(tmp_path / "cache.db") as db:
            (replies,) = db.execute("SELECT COUNT(*) FROM replies").fetchone()
        seen.append((turns, calls, replies))

    spec = ModelSpec(backend="committed_probe", model="m", strategy="prompt")
    (plan,) = plan_runs(acme, [0], {"default": spec})
    cache = ResponseCache(tmp_path / "cache.db")
    with _latency_backend("committed_probe", look), Store(tmp_path / "out") as store:
        outcome = asyncio.run(execute_run(plan, store, RunOptions(cache=cache)))
    cache.close()
    assert outcome.status == "done" and outcome.calls == len(seen) > 3
    assert seen == [(i, i, i) for i in range(len(seen))]


def test_the_cpu_gate_hands_over_in_arrival_order_and_is_free_during_waits() -> None:
    order: list[str] = []

    async def run(name: str, gate: CpuGate, start: asyncio.Event) -> None:
        hold = gate.hold()
        async with hold.held_during():
            order.append(f"{name} start")
            start.set()
            async with hold.paused():
                await asyncio.sleep(0.01)
            order.append(f"{name} reply")
            await asyncio.sleep(0)  # an await inside a turn does not let another run in
            order.append(f"{name} end")

    async def main() -> None:
        gate = CpuGate()
        started = [asyncio.Event() for _ in range(3)]
        tasks = []
        for i, event in enumerate(started):
            tasks.append(asyncio.create_task(run(f"r{i}", gate, event)))
            await event.wait()  # r1 starts while r0 waits on its model: the gate is free then
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order[:3] == ["r0 start", "r1 start", "r2 start"]
    for name in ("r0", "r1", "r2"):
        i = order.index(f"{name} reply")
        assert order[i + 1] == f"{name} end"


def test_the_kept_world_state_equals_a_replay_of_the_records(acme: World) -> None:
    minds, _ = llm_minds(acme, Replying())
    for records in (run_world(acme, minds), run_world(acme, policy_minds(acme))):
        replayed = WorldState.replay(acme.spec, records)
        kept = WorldState(acme.spec)
        for r in records:
            kept.add(r)
        for role in acme.spec.cast:
            assert kept.view_for(role, 99) == replayed.view_for(role, 99)


class Counting(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.starts = 0
        self.ends = 0

    async def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.starts += 1

    async def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        self.ends += 1


def test_the_direct_model_path_matches_ainvoke_and_callbacks_still_run() -> None:
    spec = ModelSpec(backend="openai", model="m", base_url="http://127.0.0.1:9/v1", strategy="json_object")
    handler = Counting()
    results: list[tuple[str, list[CallRecord]]] = []
    for model in (Replying(), Replying(callbacks=[handler])):
        records: list[CallRecord] = []
        client = ModelClient(spec, model, RunCalls(seed=0, cache=None, sink=records.append))
        text = asyncio.run(client.complete([HumanMessage("hi")], "json_object", {}, "a", 1)).text
        results.append((text, [r.model_copy(update={"latency_ms": 0.0}) for r in records]))
    assert results[0] == results[1] and results[0][0] == REPLY
    assert results[0][1][0].input_tokens == 50 and results[0][1][0].output_tokens == 7
    assert (handler.starts, handler.ends) == (1, 1), "a configured callback handler (tracing) still sees the call"


def test_worker_processes_give_the_same_store_as_one_process(acme: World, tmp_path: Path) -> None:
    """Runs executed by forked workers land through the single writer exactly as local runs do."""
    from skins.simulation.runs import execute_specs

    with _latency_backend("replying", None):
        spec = ModelSpec(backend="replying", model="m", strategy="prompt")
        plans = plan_runs(acme, range(5), {"default": spec})
        stores: list[dict[str, Any]] = []
        for processes in (1, 2):
            cache = ResponseCache(tmp_path / f"cache-{processes}.db")
            with Store(tmp_path / f"out-{processes}") as store:
                options = RunOptions(cache=cache, concurrency=3, processes=processes)
                outcomes = asyncio.run(execute_specs(plans, store, options))
                assert [o.status for o in outcomes] == ["done"] * 5
                stores.append(
                    {
                        r.run_id: (store.transcript(r.run_id).model_dump_json(), store.usage(r.run_id).calls)
                        for r in store.runs()
                    }
                )
                again = asyncio.run(execute_specs(plans, store, options))
                assert [o.status for o in again] == ["skipped"] * 5
            assert cache.stats()["replying:m"][0] == sum(calls for _, calls in stores[-1].values())
            cache.close()
    assert stores[0] == stores[1]


def test_a_worker_process_dying_interrupts_its_runs_and_the_others_finish(acme: World, tmp_path: Path) -> None:
    import os

    from skins.simulation.runs import execute_specs

    parent = os.getpid()

    def _factory(spec: ModelSpec) -> MindFactory:
        def make(role: str, world: World, calls: RunCalls) -> Mind:
            def on_call() -> None:
                if os.getpid() != parent and calls.seed == 1:
                    os._exit(3)  # the worker process dies mid-run

            client = ModelClient(spec, Replying(on_call=on_call), calls)
            return LLMMind(role, world.personas[role], world.spec, world.personas, client)

        return make

    with registered_backend("dying", _factory):
        plans = plan_runs(acme, range(4), {"default": ModelSpec(backend="dying", model="m", strategy="prompt")})
        with Store(tmp_path / "out") as store:
            outcomes = asyncio.run(execute_specs(plans, store, RunOptions(concurrency=1, processes=2)))
            statuses = {o.seed: o.status for o in outcomes}
            assert statuses[1] == "interrupted"
            assert [s for seed, s in statuses.items() if seed != 1] == ["done"] * 3
            runs = {r.seed: r.status for r in store.runs()}
            assert runs[1] == "running" and store.turn_count(plans[1].run_id) == 0


def test_a_sweep_shares_one_chat_model_and_each_request_carries_its_runs_seed(
    acme: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building a ChatOpenAI costs ~0.3 ms: one per sweep, not one per mind; seeds still differ per run."""
    import skins.simulation.minds.registry as backends
    from skins.simulation.runs import execute_specs

    built: list[Replying] = []
    seeds: list[tuple[int, Any]] = []

    class Seeded(Replying):
        async def _agenerate(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> ChatResult:
            seeds.append((id(self), kw.get("seed")))
            return await super()._agenerate(messages, stop, run_manager, **kw)

    def build(spec: ModelSpec, seed: int | None = None) -> BaseChatModel:
        built.append(Seeded())
        return built[-1]

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr(backends, "build_chat_model", build)
    plans = plan_runs(shorten(acme, 4), [5, 6, 7], {"default": ModelSpec(backend="openai", model="m")})
    with Store(tmp_path / "out") as store:
        outcomes = asyncio.run(execute_specs(plans, store, RunOptions(concurrency=3)))
    assert [o.status for o in outcomes] == ["done"] * 3
    assert len(built) == 1  # 3 runs x 4 minds, one model
    assert sorted({seed for _, seed in seeds}) == [5, 6, 7] and len(seeds) == 12
    fixed = plan_runs(shorten(acme, 2), [5, 6], {"default": ModelSpec(backend="openai", model="m", seed=42)})
    seeds.clear()
    with Store(tmp_path / "fixed") as store:
        asyncio.run(execute_specs(fixed, store, RunOptions(concurrency=2)))
    assert {seed for _, seed in seeds} == {42}  # a seed set on the model wins over the run's
