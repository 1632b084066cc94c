"""The worker side of the multi-process executor: a forked process that runs engines.

A worker runs the runs it is sent on its own event loop and sends its store writes to the parent
(the only writer of the run store) as finished SQL rows, batched for a few milliseconds: each
message wakes the parent, which then takes a core from the engines. What makes a resume free is
the response cache, which the worker writes itself, each reply committed as it arrives and so
before the run's next model request (the cache file is shared by processes, as with Ray workers;
each write holds its lock only for its own insert). A run reports done only once the parent has
committed everything it sent.
"""

from __future__ import annotations

__all__ = [
    "FLUSH_EVERY",
    "ForwardingLedgers",
    "ForwardingStore",
    "Op",
    "Outbox",
    "SharedCache",
    "execute_run_of_engine",
    "worker_main",
]

import asyncio
import contextlib
import ctypes
import itertools
import os
import signal
import sys
import traceback
from collections.abc import Iterable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from skins.simulation.models import (
    BudgetExceeded,
    CachedReply,
    CallRecord,
    CallStart,
    Ledger,
    ResponseCache,
    set_process_share,
)
from skins.simulation.runs.control import sweeping
from skins.simulation.runs.execute import execute_run
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec
from skins.simulation.runs.spending import Ledgers
from skins.simulation.store import Store, Usage, call_row, record_row
from skins.worlds import Record

Op = tuple[Any, ...]
FLUSH_EVERY = 0.005
"""Seconds a worker may hold finished turns' rows before sending them to the parent."""


class Outbox:
    """A worker's writes not yet sent to the parent, and the syncs it waits for."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.ops: list[Op] = []
        self._asked = 0
        self._acked = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._flush_scheduled = False
        self._tickets: dict[int, asyncio.Future[int]] = {}
        self._asks = itertools.count()

    def send(self) -> None:
        """Send what is pending (the parent commits it in its next group commit)."""
        if self.ops:
            self.conn.send(("writes", self.ops))
            self.ops = []

    def send_soon(self) -> None:
        """Send what is pending within ``FLUSH_EVERY`` seconds, with whatever else is written by then:
        each message wakes the parent, which then takes the CPU from its own runs."""
        if self.ops and not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_later(FLUSH_EVERY, self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        with contextlib.suppress(OSError):  # the parent is gone; the reader notices and exits
            self.send()

    def acked(self, token: int) -> None:
        self._acked = max(self._acked, token)
        ready = [f for t, f in self._waiters if t <= self._acked]
        self._waiters = [(t, f) for t, f in self._waiters if t > self._acked]
        for future in ready:
            if not future.done():
                future.set_result(None)

    async def open_call(self, run_id: str, start: CallStart) -> int:
        """Ask the parent (which holds the budget and writes the ledger) to open a paid call; its ticket
        once the parent has committed it, or :class:`BudgetExceeded`."""
        self.send()
        asked = next(self._asks)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._tickets[asked] = future
        self.conn.send(("open", asked, run_id, start))
        try:
            return await future
        finally:
            self._tickets.pop(asked, None)

    def answered(self, asked: int, ticket: int | None, refusal: str | None) -> None:
        """The parent opened the call ``asked`` (``ticket``) or refused it."""
        future = self._tickets.get(asked)
        if future is None or future.done():
            return
        if ticket is None:
            future.set_exception(BudgetExceeded(refusal or "budget"))
        else:
            future.set_result(ticket)

    def spend(self, *op: Any) -> None:
        """A settlement for the parent's ledger, sent at once (it commits it when it reads it)."""
        self.ops.append(("spend", *op))
        self.send()

    async def synced(self) -> None:
        """Send what is pending and wait until the parent has committed everything sent so far."""
        self.send()
        self._asked += 1
        token = self._asked
        self.conn.send(("sync", token))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((token, future))
        await future


class ForwardingStore(Store):
    """The run store as a worker sees it: reads from the file, writes go to the parent as finished
    SQL rows (the parent only executes them: its work per turn stays small beside the workers')."""

    def __init__(self, folder: Path, outbox: Outbox) -> None:
        super().__init__(folder, create=False)
        self.outbox = outbox
        self._calls: dict[str, list[CallRecord]] = {}

    def run(self, run_id: str) -> None:  # the parent skips finished runs; a worker runs what it is sent
        return None

    def register_run(self, values: tuple[Any, ...], commit: bool = True) -> None:
        run_id = values[0]
        self._calls[run_id] = []
        self._next_seq[run_id] = 0  # the parent discards any earlier attempt's records
        self.outbox.ops.append(("run", values))
        self.outbox.send()  # at once: the parent knows of the run even if this worker dies in its first turn

    def append(self, run_id: str, records: Iterable[Record], commit: bool = True) -> None:
        seq = self._next_seq[run_id]
        rows = [record_row(run_id, seq + i, r) for i, r in enumerate(records)]
        self._next_seq[run_id] = seq + len(rows)
        self.outbox.ops.append(("rows", run_id, rows))
        if commit:
            self.outbox.send_soon()

    def add_call(self, run_id: str, call: CallRecord, commit: bool = True) -> None:
        self._calls.setdefault(run_id, []).append(call)
        self.outbox.ops.append(("rows", run_id, [call_row(run_id, call)]))
        if commit:
            self.outbox.send_soon()

    def commit(self) -> None:
        self.outbox.send_soon()

    async def durable(self) -> None:
        """Sent, not waited for: what makes a resume free is the replies, which the worker commits
        to the response cache itself before each model request; the records of a run that did not
        finish are discarded when it restarts. A run waits for the parent's commit only before it
        reports done (:meth:`Outbox.synced`)."""
        self.outbox.send_soon()

    def finish_run(self, run_id: str, error: str | None = None, status: str | None = None) -> None:
        self.outbox.ops.append(("finish_run", run_id, error, status))
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


class _ForwardingLedger:
    """One run's ledger in a worker: the parent opens its calls (and holds the budget); settlements go
    to it at once."""

    def __init__(self, outbox: Outbox, run_id: str) -> None:
        self._outbox = outbox
        self._run_id = run_id

    async def open(self, start: CallStart) -> int:
        return await self._outbox.open_call(self._run_id, start)

    def settle(self, ticket: int, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        self._outbox.spend("settle", ticket, input_tokens, output_tokens, cost_usd)

    def drop(self, ticket: int) -> None:
        self._outbox.spend("drop", ticket)

    def replayed(self, key: str, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        self._outbox.spend("replayed", self._run_id, key, input_tokens, output_tokens, cost_usd)


class ForwardingLedgers:
    """The ledgers of a worker's runs (see :class:`Outbox.open_call`)."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def for_run(self, run_id: str) -> Ledger:
        return _ForwardingLedger(self._outbox, run_id)


async def execute_run_of_engine(
    spec: RunSpec, store: Store, options: RunOptions, ledgers: Ledgers | None = None
) -> RunOutcome:
    """``execute_run`` in an engine process of the pool, where a bug (not a model error) fails its
    run and is reported, instead of leaving the pool waiting for an outcome."""
    try:
        return await execute_run(spec, store, options, ledgers)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        store.finish_run(spec.run_id, error=error)
        return RunOutcome.of(spec, "failed", error)


class SharedCache(ResponseCache):
    """The response cache as a worker writes it, beside the other workers (as Ray workers do): each
    reply is committed at once, so a worker holds the file's write lock only for its own insert."""

    def put(self, key: str, backend: str, reply: CachedReply, commit: bool = True) -> None:
        super().put(key, backend, reply, commit=True)


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the parent dies (even by kill -9)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def worker_main(
    conn: Connection, specs: Sequence[RunSpec], folder: str, cache_path: str | None, share: int, retry_failed: bool
) -> None:
    """Body of a forked worker: forget the parent's event loop and signal set-up, run, exit hard."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent drains
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    asyncio.events._set_running_loop(None)  # forked from inside the parent's running loop
    set_process_share(share)
    cache = Path(cache_path) if cache_path else None
    code = 0
    try:
        with sweeping():  # its few collections never walk (so copy) the heap inherited from the parent
            # this process's main: no loop runs here
            asyncio.run(_worker(conn, specs, Path(folder), cache, retry_failed))
    except BaseException:  # report and exit: the parent marks this worker's runs interrupted
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never run the parent's inherited finalizers (its SQLite connections)


async def _worker(
    conn: Connection, specs: Sequence[RunSpec], folder: Path, cache_path: Path | None, retry_failed: bool
) -> None:
    outbox = Outbox(conn)
    store = ForwardingStore(folder, outbox)
    ledgers = ForwardingLedgers(outbox)
    cache = SharedCache(cache_path) if cache_path else None
    loop = asyncio.get_running_loop()
    stopping = False
    closed = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int, spec: RunSpec) -> None:
        options = RunOptions(cache=cache, stop=lambda: stopping, retry_failed=retry_failed)
        outcome = await execute_run_of_engine(spec, store, options, ledgers)
        await outbox.synced()
        conn.send(("done", i, outcome))

    def readable() -> None:
        nonlocal stopping
        try:
            while conn.poll():
                message = conn.recv()
                if message[0] == "ack":
                    outbox.acked(message[1])
                elif message[0] == "opened":
                    outbox.answered(message[1], message[2], message[3])
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
