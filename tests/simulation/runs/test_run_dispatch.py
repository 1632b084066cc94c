"""Running a sweep from anywhere: run_all inside a running event loop (a notebook) gives the same store as
from a script, and the async API drains on a signal when asked to own signals."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path

import pytest
from fakes import shorten

from skins.simulation.runs import RunOutcome, RunSpec, execute_specs, plan_runs, run_all
from skins.simulation.store import Store
from skins.worlds.library import World, load_world


@pytest.fixture(scope="module")
def acme() -> World:
    return shorten(load_world("acme_quarter_end"), 4)


def _transcripts(store: Store, specs: list[RunSpec]) -> list[str]:
    return [store.transcript(s.run_id).model_dump_json() for s in specs]


def test_run_all_inside_a_running_event_loop_runs_as_from_a_script(acme: World, tmp_path: Path) -> None:
    specs = plan_runs(acme, [0, 1, 2])
    with Store(tmp_path / "script") as store:
        from_script = run_all(specs, store)
        expected = _transcripts(store, specs)

    async def notebook_cell() -> tuple[list[RunOutcome], list[str]]:
        with Store(tmp_path / "notebook") as store:  # made on the loop's thread, as in a notebook
            return run_all(specs, store), _transcripts(store, specs)

    from_cell, transcripts = asyncio.run(notebook_cell())
    assert [o.status for o in from_script] == ["done"] * 3
    assert from_cell == from_script and transcripts == expected


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signal handlers need the main thread"
)
def test_the_first_signal_drains_and_the_rest_is_interrupted_and_resumable(acme: World, tmp_path: Path) -> None:
    specs = plan_runs(acme, range(6))

    def first_done(outcome: RunOutcome) -> None:
        if outcome.status == "done":
            os.kill(os.getpid(), signal.SIGINT)  # as if Ctrl-C arrived after the first run landed

    def hosts_handler(signum: int, frame: object) -> None:
        raise AssertionError("the sweep's own handler takes SIGTERM while it runs")

    before = signal.signal(signal.SIGTERM, hosts_handler)
    try:
        with Store(tmp_path / "out") as store:
            outcomes = asyncio.run(execute_specs(specs, store, on_done=first_done, handle_signals=True))
            assert signal.getsignal(signal.SIGTERM) is hosts_handler  # the caller's handlers are back
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
            statuses = [o.status for o in outcomes]
            assert statuses[0] == "done" and set(statuses[1:]) == {"interrupted"}
            again = asyncio.run(execute_specs(specs, store))
            assert [o.status for o in again] == ["skipped"] + ["done"] * 5
    finally:
        signal.signal(signal.SIGTERM, before)
