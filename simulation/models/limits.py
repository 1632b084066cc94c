"""Retries and request limits for model calls: one retry layer, shared per-backend limits.

Only timeouts, connection errors, 429 (honouring Retry-After) and 5xx are
retried, with exponential backoff and jitter; 400/401/403/404 and other client
errors are permanent.
"""

from __future__ import annotations

__all__ = [
    "CpuGate",
    "CpuHold",
    "Limiter",
    "RetryPolicy",
    "classify",
    "cpu_gate",
    "limiter_for",
    "retry_after",
    "set_process_share",
]

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["retry", "fatal"]

_TRANSIENT_NAMES = {
    "APITimeoutError",
    "APIConnectionError",
    "ConnectError",
    "ConnectTimeout",
    "ReadTimeout",
    "ReadError",
    "WriteError",
    "RemoteProtocolError",
    "PoolTimeout",
    "TimeoutException",
    "ServerDisconnectedError",
    "JSONDecodeError",  # a response body cut off in transit (the openai client does not wrap it)
}


def classify(exc: BaseException) -> Verdict | None:
    """'retry' for transient faults, 'fatal' for permanent HTTP errors, None for anything else (a bug)."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return "retry" if status == 429 or status >= 500 else "fatal"
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return "retry"
    if any(cls.__name__ in _TRANSIENT_NAMES for cls in type(exc).__mro__):
        return "retry"
    return None


def retry_after(exc: BaseException) -> float | None:
    """Seconds from a Retry-After header (or retry-after-ms), if the error carries one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date; fall back to backoff


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded attempts, capped waits."""

    max_attempts: int = 4
    base: float = 0.5
    cap: float = 30.0

    def wait(self, attempt: int, jitter: float, hint: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``jitter`` in [0, 1))."""
        if hint is not None:
            return min(max(hint, 0.0), self.cap * 4)
        return min(self.cap, self.base * 2.0**attempt) * (0.5 + jitter / 2)


@dataclass
class Limiter:
    """Concurrency cap plus a requests-per-second pace, shared by every run of one event loop."""

    max_concurrency: int
    requests_per_second: float | None
    _semaphore: asyncio.Semaphore = field(init=False)
    _lock: asyncio.Lock = field(init=False)
    _next_slot: float = 0.0

    def __post_init__(self) -> None:
        self._semaphore = asyncio.Semaphore(self.max_concurrency)
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Limiter:
        await self._semaphore.acquire()
        if self.requests_per_second:
            async with self._lock:
                now = time.monotonic()
                start = max(now, self._next_slot)
                self._next_slot = start + 1.0 / self.requests_per_second
            if start > now:
                await asyncio.sleep(start - now)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._semaphore.release()


_LIMITERS: dict[tuple[int, str], Limiter] = {}
_SHARE = 1


def set_process_share(processes: int) -> None:
    """This process is one of ``processes`` workers sharing every endpoint: each limiter gets a
    1/processes share of the configured concurrency and request rate, so the totals still hold."""
    global _SHARE
    _SHARE = max(1, processes)
    _LIMITERS.clear()


def limiter_for(key: str, max_concurrency: int, requests_per_second: float | None) -> Limiter:
    """The limiter of one backend configuration in the running event loop."""
    loop = id(asyncio.get_running_loop())
    found = _LIMITERS.get((loop, key))
    if found is None:
        for stale in [k for k in _LIMITERS if k[0] != loop]:
            del _LIMITERS[stale]
        concurrency = max(1, max_concurrency // _SHARE)
        rate = requests_per_second / _SHARE if requests_per_second else requests_per_second
        found = _LIMITERS[(loop, key)] = Limiter(concurrency, rate)
    return found


class CpuGate:
    """One run at a time does CPU work on an event loop; a run lets go only while it waits for a model.

    Without it, the replies of many concurrent runs that arrive together are processed in
    interleaved slices (every ``await`` in LangGraph, LangChain or the store sends a run to the back
    of the ready queue), so every run finishes its turn only when the whole batch is done: each
    round costs L + N*c instead of L + c, and the runs stay synchronised round after round. Handing
    the CPU over in arrival order (FIFO, as ``asyncio.Lock`` wakes its waiters) lets each run send
    its next request as soon as its own turn is done, so model latency overlaps other runs' work.
    Only the scheduling order changes: every run's own steps, and so its transcript, are the same.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    def hold(self) -> CpuHold:
        """A run's handle on the gate (not yet acquired)."""
        return CpuHold(self._lock)


class CpuHold:
    """One run's turn at the gate: acquire when work starts, pause around waits on a model."""

    def __init__(self, lock: asyncio.Lock) -> None:
        self._lock = lock
        self.held = False

    async def acquire(self) -> None:
        await self._lock.acquire()
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._lock.release()

    @contextlib.asynccontextmanager
    async def held_during(self) -> AsyncIterator[None]:
        """Hold the gate for a run's whole life (except while :meth:`paused`)."""
        await self.acquire()
        try:
            yield
        finally:
            self.release()

    @contextlib.asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """Let other runs work while this one waits (a model call, a backoff); take the gate back after."""
        was_held = self.held
        self.release()
        try:
            yield
        finally:
            if was_held:
                await self.acquire()  # if cancelled here the gate is not held, and release() stays a no-op


_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CpuGate] = weakref.WeakKeyDictionary()


def cpu_gate() -> CpuGate:
    """The CPU gate of the running event loop (created on first use, dropped with the loop)."""
    loop = asyncio.get_running_loop()
    found = _GATES.get(loop)
    if found is None:
        found = _GATES[loop] = CpuGate()
    return found
