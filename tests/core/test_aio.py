"""run_sync: the sync form of async library code, with and without a running event loop (Jupyter)."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from skins.core import run_sync

WHO: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")


async def _where(x: int) -> tuple[int, int, str, str]:
    await asyncio.sleep(0)
    return x * 2, id(asyncio.get_running_loop()), threading.current_thread().name, WHO.get()


async def _fails() -> None:
    await asyncio.sleep(0)
    raise KeyError("inside")


def test_without_a_running_loop_it_runs_in_this_thread() -> None:
    doubled, _, thread, _ = run_sync(_where(21))
    assert doubled == 42 and thread == threading.current_thread().name


def test_inside_a_running_loop_it_runs_on_its_own_loop_and_keeps_context_variables() -> None:
    async def notebook_cell() -> tuple[tuple[int, int, str, str], int]:
        WHO.set("cell")
        return run_sync(_where(5)), id(asyncio.get_running_loop())  # asyncio.run here would raise

    (doubled, loop, thread, who), cell_loop = asyncio.run(notebook_cell())
    assert doubled == 10 and loop != cell_loop
    assert thread.startswith("skins-run-sync") and who == "cell"


@pytest.mark.parametrize("in_a_loop", [False, True], ids=["no-loop", "running-loop"])
def test_what_the_coroutine_raises_reaches_the_caller(in_a_loop: bool) -> None:
    async def cell() -> None:
        run_sync(_fails())

    with pytest.raises(KeyError, match="inside"):
        asyncio.run(cell()) if in_a_loop else run_sync(_fails())
