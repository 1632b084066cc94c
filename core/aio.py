"""Sync wrappers for async library code that also work where an event loop already runs (Jupyter).

Library functions are ``async``; their sync forms call :func:`run_sync`, never a bare
``asyncio.run`` (which raises inside a running loop, as in every notebook cell).
"""

from __future__ import annotations

__all__ = ["run_sync"]

import asyncio
import contextvars
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result (or raise what it raised).

    With no event loop running in this thread it is ``asyncio.run(coro)``. Inside a running loop
    (a notebook cell, or sync code called from a coroutine) that loop cannot be re-entered, so the
    coroutine runs on a fresh loop in a worker thread while this thread waits: the caller's loop is
    blocked meanwhile, as any sync call blocks it. Context variables (e.g. a sweep's scope) are
    carried over to the worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="skins-run-sync") as worker:
        return worker.submit(context.run, asyncio.run, coro).result()
