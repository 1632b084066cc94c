"""Running a sweep: pick the executor for the options, and drain on Ctrl-C or SIGTERM.

``execute_specs`` is the async API; ``run_all`` its sync wrapper, which also works inside a running
event loop (a notebook) and handles signals only where it can own them (the main thread, no loop).
"""

from __future__ import annotations

__all__ = ["execute_specs", "run_all"]

import asyncio
import dataclasses
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any

from skins.core import run_sync
from skins.simulation.runs.control import save_plan, sweeping
from skins.simulation.runs.local import execute_here
from skins.simulation.runs.processes import execute_in_processes
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec
from skins.simulation.store import Store


async def execute_specs(
    specs: Sequence[RunSpec],
    store: Store,
    options: RunOptions | None = None,
    on_done: Callable[[RunOutcome], None] | None = None,
    *,
    handle_signals: bool = False,
) -> list[RunOutcome]:
    """Run every spec, at most ``options.concurrency`` at once, started in the given order (on
    ``options.processes`` engine processes, this one included); one outcome per spec, in order.

    With ``handle_signals`` (this loop must run on the main thread) the first SIGINT/SIGTERM drains:
    no new turn or run starts, in-flight model calls finish and are cached; a second one cancels at
    once. Runs not finished are reported ``interrupted``; rerunning resumes them.
    """
    options = options or RunOptions()
    if handle_signals:
        return await _drain_on_signals(specs, store, options, on_done)
    return await _execute(specs, store, options, on_done)


def run_all(
    specs: Sequence[RunSpec],
    store: Store,
    on_done: Callable[[RunOutcome], None] | None = None,
    options: RunOptions | None = None,
) -> list[RunOutcome]:
    """``execute_specs`` from sync code; Ctrl-C or SIGTERM drains when called from a script's main thread."""
    return run_sync(execute_specs(specs, store, options, on_done, handle_signals=_may_own_signals()))


def _may_own_signals() -> bool:
    """On the main thread with no event loop running: the run's own loop may take over SIGINT/SIGTERM."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return threading.current_thread() is threading.main_thread()
    return False


async def _execute(
    specs: Sequence[RunSpec], store: Store, options: RunOptions, on_done: Callable[[RunOutcome], None] | None
) -> list[RunOutcome]:
    save_plan(store, specs)
    with sweeping():
        if options.processes > 1:
            return await execute_in_processes(specs, store, options, on_done)
        return await execute_here(specs, store, options, on_done)


async def _drain_on_signals(
    specs: Sequence[RunSpec], store: Store, options: RunOptions, on_done: Callable[[RunOutcome], None] | None
) -> list[RunOutcome]:
    draining = asyncio.Event()
    asked = options.stop
    drained = dataclasses.replace(options, stop=lambda: draining.is_set() or asked())
    task = asyncio.ensure_future(_execute(specs, store, drained, on_done))
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if draining.is_set():
            task.cancel()
        draining.set()

    installed = _own_signals(loop, on_signal)
    try:
        return await task
    except asyncio.CancelledError:
        if not task.cancelled() or not draining.is_set():
            raise  # cancelled from outside, not by a second signal
        return [RunOutcome.interrupted(s) for s in specs]
    finally:
        for sig, previous in installed.items():
            loop.remove_signal_handler(sig)
            signal.signal(sig, previous)


def _own_signals(loop: asyncio.AbstractEventLoop, handler: Callable[[], None]) -> dict[signal.Signals, Any]:
    """Route SIGINT and SIGTERM to ``handler`` on ``loop``; returns the handlers they had (to restore)."""
    installed: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        try:
            loop.add_signal_handler(sig, handler)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread after all, or no signals on this platform
        installed[sig] = previous
    return installed
