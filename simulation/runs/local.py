"""The local executor: runs on this process's event loop, up to a limit at once; one failing run never
stops the others.

Model limits (rate, concurrency per endpoint) are shared by every run through the model layer; a
run's own turns stay in order. A cancellation (a second Ctrl-C) lands between store commits: every
committed turn is consistent, and a rerun resumes (finished runs are skipped; interrupted ones
replay their committed calls from the cache).
"""

from __future__ import annotations

__all__ = ["execute_here"]

import asyncio
import contextlib
from collections.abc import Callable, Sequence

from skins.simulation.runs.control import Tally
from skins.simulation.runs.execute import execute_run, finished_outcome
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec
from skins.simulation.store import Store


async def execute_here(
    specs: Sequence[RunSpec],
    store: Store,
    options: RunOptions,
    on_done: Callable[[RunOutcome], None] | None = None,
) -> list[RunOutcome]:
    """Run every spec, at most ``options.concurrency`` at once, started in the given order."""
    gate = asyncio.Semaphore(max(1, options.concurrency))
    tally = Tally(store, options, on_done)

    async def one(i: int, spec: RunSpec) -> None:
        async with gate:
            outcome = (
                finished_outcome(store, spec, options)
                or tally.refusal(spec)
                or await execute_run(spec, store, options, tally.spending)
            )
            tally.record(i, outcome)

    with contextlib.suppress(asyncio.CancelledError):  # cancelled: report what finished; the rest is resumable
        await asyncio.gather(*(one(i, s) for i, s in enumerate(specs)))
    return tally.outcomes(specs)
