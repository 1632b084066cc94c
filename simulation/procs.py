"""The multi-process executor: worker processes run the engines, ONE process writes the store.

Each worker (forked, so backends registered at run time exist there too) runs its share of the
runs on its own event loop and sends every write (run rows, records, call records, cached
replies) to the parent through a pipe. The parent is the only writer of the run store and of the
response cache: it applies whatever arrived in one transaction per file (group commit) and acks.
A run waits for the ack of its writes before each model request and before it reports done, so a
finished turn is durable before the run goes on, exactly as with the local executor: kill -9 of
the parent (the workers die with it) loses no finished turn, and a resume replays committed calls
from the cache. Several processes writing the same SQLite file would contend for its lock; a
single writer does not.

Workers read the response cache directly (WAL readers do not block the writer). Per-endpoint
limits are split between the workers (each gets its share of ``max_concurrency`` and of the
request rate), so the configured totals still hold.
"""

from __future__ import annotations

__all__ = ["execute_specs_in_processes"]

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from simulation.cache import CachedReply, ResponseCache
from simulation.client import CallRecord
from simulation.executor import _interrupted, stop_reason
from simulation.limits import set_process_share
from simulation.runner import RunOptions, RunOutcome, RunSpec, execute_run
from simulation.store import Store, Usage
from worlds.records import Record, RoleInfo

Op = tuple[Any, ...]


class Outbox:
    """A worker's writes not yet sent to the parent, and the acks it waits for."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.ops: list[Op] = []
        self._sent = 0
        self._acked = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def send(self) -> None:
        if self.ops:
            self._sent += 1
            self.conn.send(("writes", self._sent, self.ops))
            self.ops = []

    def acked(self, token: int) -> None:
        self._acked = max(self._acked, token)
        ready = [f for t, f in self._waiters if t <= self._acked]
        self._waiters = [(t, f) for t, f in self._waiters if t > self._acked]
        for future in ready:
            if not future.done():
                future.set_result(None)

    async def durable(self) -> None:
        """Send what is pending and wait until the parent has committed everything sent so far."""
        self.send()
        if self._acked >= self._sent:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self._sent, future))
        await future


class ForwardingStore(Store):
    """The run store as a worker sees it: reads from the file, writes go to the parent."""

    def __init__(self, folder: Path, outbox: Outbox) -> None:
        super().__init__(folder, create=False)
        self.outbox = outbox
        self._calls: dict[str, list[CallRecord]] = {}

    def run(self, run_id: str) -> None:  # the parent skips finished runs; a worker runs what it is sent
        return None

    def start_run(
        self,
        run_id: str,
        world_id: str,
        seed: int,
        spec: dict[str, Any] | str,
        roles: dict[str, RoleInfo],
        ablated: list[str],
        commit: bool = True,
    ) -> None:
        self._calls[run_id] = []
        self.outbox.ops.append(("start_run", run_id, world_id, seed, spec, roles, ablated))
        if commit:
            self.outbox.send()

    def append(self, run_id: str, records: Iterable[Record], commit: bool = True) -> None:
        self.outbox.ops.append(("append", run_id, list(records)))
        if commit:
            self.outbox.send()

    def add_call(self, run_id: str, call: CallRecord, commit: bool = True) -> None:
        self._calls.setdefault(run_id, []).append(call)
        self.outbox.ops.append(("add_call", run_id, call))
        if commit:
            self.outbox.send()

    def commit(self) -> None:
        self.outbox.send()

    async def durable(self) -> None:
        await self.outbox.durable()

    def finish_run(self, run_id: str, error: str | None = None) -> None:
        self.outbox.ops.append(("finish_run", run_id, error))
        self.outbox.send()

    def usage(self, run_id: str | None = None, by: str | None = None) -> Usage:
        calls = [c for c in self._calls.get(run_id or "", []) if by is None or c.role == by]
        return Usage(
            calls=len(calls),
            cached=sum(c.cached for c in calls),
            input_tokens=sum(c.input_tokens for c in calls),
            output_tokens=sum(c.output_tokens for c in calls),
            cost_usd=sum(c.cost_usd for c in calls),
            errors=sum(c.error is not None for c in calls),
        )


class ForwardingCache(ResponseCache):
    """The response cache as a worker sees it: lookups read the file, new replies go to the parent."""

    def __init__(self, path: Path, outbox: Outbox) -> None:
        super().__init__(path)
        self.outbox = outbox

    def put(self, key: str, backend: str, reply: CachedReply, commit: bool = True) -> None:
        self.outbox.ops.append(("reply", key, backend, reply))
        if commit:
            self.outbox.send()

    def commit(self) -> None:
        self.outbox.send()


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the parent dies (even by kill -9)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker_main(conn: Connection, specs: Sequence[RunSpec], folder: str, cache_path: str | None, share: int) -> None:
    """Body of a forked worker: forget the parent's event loop and signal set-up, run, exit hard."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent drains
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    asyncio.events._set_running_loop(None)  # forked from inside the parent's running loop
    set_process_share(share)
    code = 0
    try:
        asyncio.run(_worker(conn, specs, Path(folder), Path(cache_path) if cache_path else None))
    except BaseException:  # report and exit: the parent marks this worker's runs interrupted
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never run the parent's inherited finalizers (its SQLite connections)


async def _worker(conn: Connection, specs: Sequence[RunSpec], folder: Path, cache_path: Path | None) -> None:
    outbox = Outbox(conn)
    store = ForwardingStore(folder, outbox)
    cache = ForwardingCache(cache_path, outbox) if cache_path else None
    loop = asyncio.get_running_loop()
    stopping = False
    closed = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int, spec: RunSpec) -> None:
        try:
            outcome = await execute_run(spec, store, RunOptions(cache=cache, stop=lambda: stopping))
        except Exception as exc:  # a bug, not a model error: report it instead of leaving the parent waiting
            error = f"{type(exc).__name__}: {exc}"
            store.finish_run(spec.run_id, error=error)
            outcome = RunOutcome(run_id=spec.run_id, seed=spec.seed, status="failed", error=error)
        await outbox.durable()
        conn.send(("done", i, outcome))

    def readable() -> None:
        nonlocal stopping
        try:
            while conn.poll():
                message = conn.recv()
                if message[0] == "ack":
                    outbox.acked(message[1])
                elif message[0] == "run":
                    task = loop.create_task(one(message[1], specs[message[1]]))  # forked with the specs
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                elif message[0] == "stop":
                    stopping = True
                elif message[0] == "close":
                    closed.set()
        except (EOFError, OSError):
            os._exit(1)  # the parent is gone: nothing of ours can be committed any more

    loop.add_reader(conn.fileno(), readable)
    await closed.wait()
    while tasks:
        await asyncio.gather(*tasks)


def _apply(store: Store, cache: ResponseCache | None, ops: list[Op]) -> None:
    for op in ops:
        kind = op[0]
        if kind == "start_run":
            store.start_run(op[1], op[2], op[3], op[4], op[5], op[6], commit=False)  # lands with this batch
        elif kind == "append":
            store.append(op[1], op[2], commit=False)
        elif kind == "add_call":
            store.add_call(op[1], op[2], commit=False)
        elif kind == "finish_run":
            store.finish_run(op[1], op[2])
        elif kind == "reply" and cache is not None:
            cache.put(op[1], op[2], op[3], commit=False)


class _Worker:
    def __init__(self, conn: Connection, process: multiprocessing.process.BaseProcess) -> None:
        self.conn = conn
        self.process = process
        self.in_flight: dict[int, RunSpec] = {}
        self.alive = True


class _Pool:
    """The parent's side: starts the workers, hands out runs, writes what they send, collects outcomes."""

    def __init__(self, store: Store, options: RunOptions, total: int, on_done: Callable[[RunOutcome], None] | None):
        self.store = store
        self.options = options
        self.cache = options.cache
        self.total = total
        self.on_done = on_done
        self.results: dict[int, RunOutcome] = {}
        self.fatal: dict[str, str] = {}
        self.finished: list[RunOutcome] = []
        self.slots = asyncio.Semaphore(max(1, options.concurrency))
        self.all_done = asyncio.Event()
        self.workers: list[_Worker] = []

    def start(self, specs: Sequence[RunSpec], processes: int) -> None:
        self.store.commit()  # nothing of ours pending when the workers fork
        ctx = multiprocessing.get_context("fork")  # backends registered at run time exist in the workers too
        cache_path = str(self.cache.path) if self.cache is not None else None
        loop = asyncio.get_running_loop()
        for _ in range(processes):
            parent_end, child_end = ctx.Pipe()
            args = (child_end, specs, str(self.store.folder), cache_path, processes)
            proc = ctx.Process(target=_worker_main, args=args, daemon=True)
            proc.start()
            child_end.close()
            worker = _Worker(parent_end, proc)
            self.workers.append(worker)
            loop.add_reader(parent_end.fileno(), self.readable, worker)

    def record(self, i: int, outcome: RunOutcome) -> None:
        if outcome.fatal_model:
            self.fatal.setdefault(outcome.fatal_model, outcome.error or "")
        self.finished.append(outcome)
        self.results[i] = outcome
        if self.on_done:
            self.on_done(outcome)
        if len(self.results) == self.total:
            self.all_done.set()

    def readable(self, worker: _Worker) -> None:
        """Apply everything a worker sent in one transaction per file (group commit), then ack it."""
        acks: list[int] = []
        done: list[tuple[int, RunOutcome]] = []
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "writes":
                    _apply(self.store, self.cache, message[2])
                    acks.append(message[1])
                elif message[0] == "done":
                    done.append((message[1], message[2]))
        except (EOFError, OSError):
            self.lost(worker)
        if self.cache is not None:
            self.cache.commit()
        self.store.commit()
        for token in acks:
            with contextlib.suppress(OSError):
                worker.conn.send(("ack", token))
        for i, outcome in done:
            worker.in_flight.pop(i, None)
            self.slots.release()
            self.record(i, outcome)

    def lost(self, worker: _Worker) -> None:
        """A worker died: its unfinished runs are interrupted (committed turns stay; a rerun resumes)."""
        worker.alive = False
        asyncio.get_running_loop().remove_reader(worker.conn.fileno())
        for i, spec in list(worker.in_flight.items()):
            self.slots.release()
            self.record(i, _interrupted(spec))
        worker.in_flight.clear()

    async def dispatch(self, specs: Sequence[RunSpec]) -> None:
        """Hand out runs in order, at most ``concurrency`` in flight, with the local executor's stop rules."""
        for i, spec in enumerate(specs):
            await self.slots.acquire()
            existing = self.store.run(spec.run_id)
            reason = stop_reason(spec, self.fatal, self.store, self.options.budget_usd, self.finished)
            target = min((w for w in self.workers if w.alive), key=lambda w: len(w.in_flight), default=None)
            if self.options.stop() or target is None:
                outcome = _interrupted(spec)
            elif reason:
                outcome = RunOutcome(run_id=spec.run_id, seed=spec.seed, status="not_started", error=reason)
            elif existing is not None and existing.status == "done":
                outcome = RunOutcome(run_id=spec.run_id, seed=spec.seed, status="skipped")
            else:
                target.in_flight[i] = spec
                target.conn.send(("run", i))  # the index: the worker was forked with the specs
                continue
            self.slots.release()
            self.record(i, outcome)

    async def watch_stop(self) -> None:
        """Pass a drain request on to the workers: no new turn starts, in-flight calls finish and land."""
        while not self.options.stop():
            await asyncio.sleep(0.05)
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.conn.send(("stop",))

    def close(self) -> None:
        loop = asyncio.get_running_loop()
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                loop.remove_reader(worker.conn.fileno())
                worker.conn.send(("close",))
            if not self.all_done.is_set():
                worker.process.kill()  # cancelled: committed turns are consistent, the rest resumes
        for worker in self.workers:
            worker.process.join(timeout=10)
            worker.conn.close()
        self.store.commit()


async def execute_specs_in_processes(
    specs: Sequence[RunSpec],
    store: Store,
    options: RunOptions,
    on_done: Callable[[RunOutcome], None] | None = None,
    processes: int = 2,
) -> list[RunOutcome]:
    """Like ``execute_specs``: every spec, at most ``options.concurrency`` at once, outcomes in order."""
    pool = _Pool(store, options, len(specs), on_done)
    if not specs:
        return []
    pool.start(specs, max(1, processes))
    watcher = asyncio.ensure_future(pool.watch_stop())
    try:
        await pool.dispatch(specs)
        await pool.all_done.wait()
    finally:
        watcher.cancel()
        pool.close()
    return [pool.results.get(i) or _interrupted(s) for i, s in enumerate(specs)]
