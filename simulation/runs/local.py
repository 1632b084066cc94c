"""The local executor: runs in parallel up to a limit, one failing run never stops the others.

Model limits (rate, concurrency per endpoint) are shared by every run through
the model layer; a run's own turns stay in order. A permanent model error
(bad key, unknown model) stops only the runs that use that model; the budget
stops starting new runs. SIGINT/SIGTERM cancel in-flight runs between store
commits: every committed turn is consistent, and a rerun resumes (finished runs
are skipped; interrupted ones replay their committed calls from the cache).
"""

from __future__ import annotations

__all__ = ["SWEEP_GEN0", "execute_specs", "run_until_signalled", "stop_reason"]

import asyncio
import contextlib
import dataclasses
import signal
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from skins.core import few_collections
from skins.simulation.models import sweep_scope
from skins.simulation.runs.runner import RunOptions, RunOutcome, RunSpec, execute_run
from skins.simulation.store import Store


def stop_reason(
    spec: RunSpec, fatal: dict[str, str], store: Store, budget: float | None, finished: list[RunOutcome]
) -> str | None:
    """Why this run should not start: its model failed permanently, or the budget would be exceeded."""
    broken = [ref for ref in {m.ref for m in spec.role_models().values()} if ref in fatal] if fatal else []
    if broken:
        return f"stopped after a permanent model error: {fatal[broken[0]]}"
    if budget is None:
        return None
    spent = store.total_cost()
    paid = [o.cost_usd for o in finished if o.status in ("done", "failed") and o.cost_usd > 0]
    expected = sum(paid) / len(paid) if paid else 0.0
    if spent + expected > budget:
        return f"budget: ${spent:.4f} spent, a run costs about ${expected:.4f}, the budget is ${budget:.2f}"
    return None


async def execute_specs(
    specs: Sequence[RunSpec],
    store: Store,
    options: RunOptions,
    on_done: Callable[[RunOutcome], None] | None = None,
) -> list[RunOutcome]:
    """Run every spec, at most ``options.concurrency`` at once, in the given order of start
    (on ``options.processes`` engine processes, this one included, when more than one)."""
    with few_collections(SWEEP_GEN0), sweep_scope():
        if options.processes > 1:
            from skins.simulation.runs.processes import execute_specs_in_processes

            return await execute_specs_in_processes(specs, store, options, on_done, options.processes)
        return await _execute_here(specs, store, options, on_done)


SWEEP_GEN0 = 20_000
"""Young-generation collection interval while runs execute: a sweep allocates many short-lived records
and LangChain objects, and each collection at the default rescans the long-lived heap
(benchmarks/engine_efficiency.py: ~0.2 ms of collector time per model call at the defaults)."""


async def _execute_here(
    specs: Sequence[RunSpec],
    store: Store,
    options: RunOptions,
    on_done: Callable[[RunOutcome], None] | None,
) -> list[RunOutcome]:
    gate = asyncio.Semaphore(max(1, options.concurrency))
    fatal: dict[str, str] = {}
    finished: list[RunOutcome] = []
    results: dict[int, RunOutcome] = {}

    async def one(i: int, spec: RunSpec) -> None:
        async with gate:
            reason = stop_reason(spec, fatal, store, options.budget_usd, finished)
            if options.stop():
                outcome = _interrupted(spec)
            elif reason:
                outcome = RunOutcome(run_id=spec.run_id, seed=spec.seed, status="not_started", error=reason)
            else:
                outcome = await execute_run(spec, store, options)
            if outcome.fatal_model:
                fatal.setdefault(outcome.fatal_model, outcome.error or "")
            finished.append(outcome)
            results[i] = outcome
            if on_done:
                on_done(outcome)

    with contextlib.suppress(asyncio.CancelledError):  # a signal: report what finished; the rest is resumable
        await asyncio.gather(*(one(i, s) for i, s in enumerate(specs)))
    return [results.get(i) or _interrupted(s) for i, s in enumerate(specs)]


def _interrupted(spec: RunSpec) -> RunOutcome:
    return RunOutcome(run_id=spec.run_id, seed=spec.seed, status="interrupted", error="interrupted; rerun to resume")


def run_until_signalled(
    work: Callable[[RunOptions], Coroutine[Any, Any, list[RunOutcome]]], options: RunOptions, specs: Sequence[RunSpec]
) -> list[RunOutcome]:
    """Run ``work`` on a new event loop. The first SIGINT/SIGTERM drains: no new turn or run starts,
    in-flight model calls finish and are cached. A second one cancels at once."""

    async def main() -> list[RunOutcome]:
        draining = asyncio.Event()
        task = asyncio.ensure_future(work(dataclasses.replace(options, stop=draining.is_set)))
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if draining.is_set():
                task.cancel()
            draining.set()

        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (e.g. inside a test runner's worker thread)
        try:
            return await task
        except asyncio.CancelledError:
            return [_interrupted(s) for s in specs]
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)

    return asyncio.run(main())
