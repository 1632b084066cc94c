"""run_sync: the same result with or without an event loop already running in the thread (Jupyter)."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from skins.core import run_sync

WHO: contextvars.ContextVar[str] = contextvars.ContextVar("WHO", default="nobody")


async def _where() -> tuple[str, str]:
    await asyncio.sleep(0)
    return threading.current_thread().name, WHO.get()


def test_without_a_running_loop_it_runs_in_this_thread() -> None:
    WHO.set("caller")
    assert run_sync(_where()) == (threading.current_thread().name, "caller")


def test_inside_a_running_loop_it_runs_elsewhere_and_keeps_the_context() -> None:
    async def notebook_cell() -> tuple[str, str]:
        WHO.set("cell")
        return run_sync(_where())  # a bare asyncio.run would raise here

    thread, who = asyncio.run(notebook_cell())
    assert thread != threading.current_thread().name and who == "cell"


def test_an_exception_reaches_the_caller() -> None:
    async def boom() -> None:
        raise ValueError("boom")

    async def cell() -> None:
        run_sync(boom())

    with pytest.raises(ValueError, match="boom"):
        run_sync(boom())
    with pytest.raises(ValueError, match="boom"):
        asyncio.run(cell())
