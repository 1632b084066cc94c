"""Running a coroutine to completion from synchronous code, also inside a running event loop (Jupyter)."""

from __future__ import annotations

__all__ = ["run_sync"]

import asyncio
import concurrent.futures
import contextvars
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` and return its result: on a new event loop in this thread when none is running,
    else on a new loop in a helper thread (a loop already running here, as in a notebook, cannot be
    re-entered). Context variables are carried over either way."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="run_sync") as pool:
        return pool.submit(context.run, asyncio.run, coro).result()
