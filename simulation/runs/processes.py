"""The multi-process executor: ``processes`` engine processes, this one included; ONE writes the run store.

This process runs its share of the runs on its own event loop, like the local executor, and forks
``processes - 1`` workers for the rest (forked, so backends registered at run time exist there
too; :mod:`skins.simulation.runs.worker`). It is the only writer of the run store: its own runs write it
directly, and the workers' rows, sent through pipes, are executed here in one transaction per
batch (group commit). Several processes writing the same store file would contend for its lock; a
single writer does not. Every engine process writes the shared response cache itself, committing
each reply as it arrives, before its run's next model request: a kill -9 (the workers die with this
process) loses no committed reply, and a resume discards the unfinished runs' records and replays
their calls from the cache, exactly as with the local executor.

Runs go to the engine with the fewest in flight (ties in turn), so on N cores N engines share the
CPU work that one event loop would do alone. Per-endpoint limits are split between the engine
processes (each gets its share of ``max_concurrency`` and of the request rate), so the configured
totals still hold.

It pays when the engine's CPU, not model latency, bounds the sweep, and only on idle cores
(benchmarks/engine_efficiency.py on a quiet 2-core machine: at L = 0.02 s efficiency 0.44 with one
process, 0.74 with two; at L = 0.1 s 0.93 either way, at ~15% more CPU per call).
"""

from __future__ import annotations

__all__ = ["execute_in_processes"]

import asyncio
import contextlib
import itertools
import multiprocessing
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from skins.simulation.models import BudgetExceeded, CallStart, ResponseCache, set_process_share
from skins.simulation.runs.control import Tally
from skins.simulation.runs.execute import finished_outcome
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec
from skins.simulation.runs.spending import Spending
from skins.simulation.runs.worker import Op, SharedCache, execute_run_of_engine, worker_main
from skins.simulation.store import Store


def _apply(store: Store, spending: Spending, ops: list[Op]) -> None:
    for op in ops:
        kind = op[0]
        if kind == "rows":
            store.insert_rows(op[1], op[2])
        elif kind == "run":
            store.register_run(op[1], commit=False)  # lands with this batch
        elif kind == "finish_run":
            store.finish_run(op[1], op[2], op[3])
        elif kind == "spend":
            _settle(spending, op[1:])


def _settle(spending: Spending, op: tuple[object, ...]) -> None:
    """A worker's ledger settlement (``Spending.settle``, ``drop`` or ``replayed`` with its arguments)."""
    what, *args = op
    if what == "settle":
        spending.settle(*args)  # type: ignore[arg-type]  # the worker's ledger sends exactly these
    elif what == "drop":
        spending.drop(*args)  # type: ignore[arg-type]  # as above
    elif what == "replayed":
        spending.replayed(*args)  # type: ignore[arg-type]  # as above


class _Engine:
    """Where runs execute: this process (no pipe) or a forked worker."""

    def __init__(self, conn: Connection | None = None, process: BaseProcess | None = None) -> None:
        self.conn = conn
        self.process = process
        self.in_flight: dict[int, RunSpec] = {}
        self.alive = True
        self.tickets: set[int] = set()
        """The ledger tickets of the paid calls this worker opened (those still open die with it)."""


class _Pool:
    """This process's side: starts the workers, hands out runs, runs its share, writes, collects outcomes."""

    def __init__(self, store: Store, options: RunOptions, total: int, on_done: Callable[[RunOutcome], None] | None):
        self.store = store
        self.options = options
        self.cache = options.cache
        self.total = total
        self.tally = Tally(store, options, on_done)
        self.slots = asyncio.Semaphore(max(1, options.concurrency))
        self.all_done = asyncio.Event()
        self.here = _Engine()
        self.workers: list[_Engine] = []
        self.local_cache: ResponseCache | None = None
        self.local_tasks: set[asyncio.Task[None]] = set()
        self.opening: set[asyncio.Task[None]] = set()
        self._turns = itertools.count()

    def start(self, specs: Sequence[RunSpec], processes: int) -> None:
        self.store.commit()  # nothing of ours pending when the workers fork
        if self.cache is not None:
            self.cache.commit()  # every engine writes the cache: hold none of its locks
            self.local_cache = SharedCache(self.cache.path)
        ctx = multiprocessing.get_context("fork")  # backends registered at run time exist in the workers too
        cache_path = str(self.cache.path) if self.cache is not None else None
        loop = asyncio.get_running_loop()
        for _ in range(processes - 1):
            parent_end, child_end = ctx.Pipe()
            args = (child_end, specs, str(self.store.folder), cache_path, processes, self.options.retry_failed)
            proc = ctx.Process(target=worker_main, args=args, daemon=True)
            proc.start()
            child_end.close()
            worker = _Engine(parent_end, proc)
            self.workers.append(worker)
            loop.add_reader(parent_end.fileno(), self.readable, worker)

    def record(self, i: int, outcome: RunOutcome) -> None:
        self.tally.record(i, outcome)
        if len(self.tally.results) == self.total:
            self.all_done.set()

    def readable(self, worker: _Engine) -> None:
        """Apply everything a worker sent in one transaction (group commit), then answer its syncs."""
        assert worker.conn is not None
        acks: list[int] = []
        done: list[tuple[int, RunOutcome]] = []
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "writes":
                    _apply(self.store, self.tally.spending, message[1])
                elif message[0] == "open":
                    self._open(worker, message[1], message[2], message[3])
                elif message[0] == "sync":
                    acks.append(message[1])
                elif message[0] == "done":
                    done.append((message[1], message[2]))
        except (EOFError, OSError):
            self.lost(worker)
        self.store.commit()
        for token in acks:
            with contextlib.suppress(OSError):
                worker.conn.send(("ack", token))
        for i, outcome in done:
            worker.in_flight.pop(i, None)
            self.slots.release()
            self.record(i, outcome)

    def _open(self, worker: _Engine, asked: int, run_id: str, start: CallStart) -> None:
        """Open a worker's paid call once the budget allows (or refuse it), and tell the worker."""

        async def opening() -> None:
            answer: tuple[str, int, int | None, str | None]
            try:
                ticket = await self.tally.spending.open(run_id, start)
                worker.tickets.add(ticket)
                answer = ("opened", asked, ticket, None)
                if not worker.alive:
                    self.tally.spending.abandon(ticket)
            except BudgetExceeded as exc:
                answer = ("opened", asked, None, str(exc))
            if worker.conn is not None and worker.alive:
                with contextlib.suppress(OSError):
                    worker.conn.send(answer)

        task = asyncio.ensure_future(opening())
        self.opening.add(task)
        task.add_done_callback(self.opening.discard)

    def lost(self, worker: _Engine) -> None:
        """A worker died: its unfinished runs are interrupted (committed turns stay; a rerun resumes)."""
        assert worker.conn is not None
        worker.alive = False
        asyncio.get_running_loop().remove_reader(worker.conn.fileno())
        for ticket in worker.tickets:
            self.tally.spending.abandon(ticket)  # no reply will come: stays counted, frees no budget
        for i, spec in list(worker.in_flight.items()):
            self.slots.release()
            self.record(i, RunOutcome.interrupted(spec))
        worker.in_flight.clear()

    async def run_here(self, i: int, spec: RunSpec) -> None:
        """One run of this process's share, as the local executor runs it."""
        try:
            options = RunOptions(cache=self.local_cache, stop=self.options.stop, retry_failed=self.options.retry_failed)
            outcome = await execute_run_of_engine(spec, self.store, options, self.tally.spending)
        finally:
            self.here.in_flight.pop(i, None)
            self.slots.release()
        self.record(i, outcome)

    def _target(self) -> _Engine | None:
        """The engine with the fewest runs in flight (ties in turn, this process first)."""
        engines = [e for e in (self.here, *self.workers) if e.alive]
        if not engines:
            return None
        turn = next(self._turns)
        return min(engines, key=lambda e: (len(e.in_flight), (engines.index(e) - turn) % len(engines)))

    async def dispatch(self, specs: Sequence[RunSpec]) -> None:
        """Hand out runs in order, at most ``concurrency`` in flight, with the local executor's stop rules."""
        for i, spec in enumerate(specs):
            await self.slots.acquire()
            target = self._target()
            outcome = self._refusal(spec) if target is not None else RunOutcome.interrupted(spec)
            if outcome is None and target is not None:
                self._start(i, spec, target)
                continue
            self.slots.release()
            self.record(i, outcome or RunOutcome.interrupted(spec))

    def _refusal(self, spec: RunSpec) -> RunOutcome | None:
        """The outcome of a run not to hand out: refused by the stop rules, or finished already."""
        return finished_outcome(self.store, spec, self.options) or self.tally.refusal(spec)

    def _start(self, i: int, spec: RunSpec, target: _Engine) -> None:
        target.in_flight[i] = spec
        if target.conn is None:
            task = asyncio.ensure_future(self.run_here(i, spec))
            self.local_tasks.add(task)
            task.add_done_callback(self.local_tasks.discard)
        else:
            target.conn.send(("run", i))  # the index: the worker was forked with the specs

    async def watch_stop(self) -> None:
        """Pass a drain request on to the workers: no new turn starts, in-flight calls finish and land."""
        while not self.options.stop():
            await asyncio.sleep(0.05)
        for worker in self.workers:
            with contextlib.suppress(OSError):
                assert worker.conn is not None
                worker.conn.send(("stop",))

    def close(self) -> None:
        loop = asyncio.get_running_loop()
        for task in (*self.local_tasks, *self.opening):
            task.cancel()  # only when cancelled: finished runs' tasks are gone
        for worker in self.workers:
            assert worker.conn is not None and worker.process is not None
            with contextlib.suppress(OSError, ValueError):
                loop.remove_reader(worker.conn.fileno())
                worker.conn.send(("close",))
            if not self.all_done.is_set():
                worker.process.kill()  # cancelled: committed turns are consistent, the rest resumes
        for worker in self.workers:
            assert worker.conn is not None and worker.process is not None
            worker.process.join(timeout=10)
            worker.conn.close()
        if self.local_cache is not None:
            self.local_cache.close()
        self.store.commit()


async def execute_in_processes(
    specs: Sequence[RunSpec],
    store: Store,
    options: RunOptions,
    on_done: Callable[[RunOutcome], None] | None = None,
) -> list[RunOutcome]:
    """Like the local executor, on ``options.processes`` engine processes: every spec, at most
    ``options.concurrency`` at once, outcomes in order."""
    processes = options.processes
    pool = _Pool(store, options, len(specs), on_done)
    if not specs:
        return []
    set_process_share(processes)
    pool.start(specs, max(1, processes))
    watcher = asyncio.ensure_future(pool.watch_stop())
    try:
        await pool.dispatch(specs)
        await pool.all_done.wait()
    finally:
        watcher.cancel()
        pool.close()
        set_process_share(1)
    return pool.tally.outcomes(specs)
