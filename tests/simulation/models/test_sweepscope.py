"""Per-sweep set-up (skins.simulation.models.scope): once per sweep and key, never shared between sweeps."""

from __future__ import annotations

import asyncio
import gc
import weakref

from skins.simulation.models import per_sweep, sweep_scope


def test_a_value_is_made_once_per_sweep_and_key_and_seen_by_the_sweeps_tasks() -> None:
    made: list[str] = []

    def make(key: str) -> object:
        made.append(key)
        return object()

    async def run() -> tuple[object, object]:
        return per_sweep(("k", 1), lambda: make("a")), per_sweep(("k", 2), lambda: make("b"))

    async def sweep() -> list[tuple[object, object]]:
        with sweep_scope():
            return list(await asyncio.gather(run(), run(), run()))

    one = asyncio.run(sweep())
    assert made == ["a", "b"] and len({id(a) for a, _ in one}) == 1  # the runs of a sweep share it
    two = asyncio.run(sweep())
    assert made == ["a", "b", "a", "b"] and two[0][0] is not one[0][0]  # the next sweep builds its own


def test_two_sweeps_on_one_event_loop_do_not_share() -> None:
    """As in a notebook, whose event loop outlives every sweep: keys or settings changed between
    sweeps are picked up."""

    async def main() -> tuple[int, int]:
        with sweep_scope():
            first = per_sweep("key", lambda: 1)
        with sweep_scope():
            second = per_sweep("key", lambda: 2)
        return first, second

    assert asyncio.run(main()) == (1, 2)


def test_outside_a_sweep_nothing_is_kept() -> None:
    made: list[int] = []
    per_sweep("k", lambda: made.append(1))
    per_sweep("k", lambda: made.append(1))
    assert made == [1, 1]


def test_kept_objects_stay_alive_while_their_sweep_lasts() -> None:
    class Owner:
        pass

    def sweep() -> weakref.ref[Owner]:
        with sweep_scope():
            owner = Owner()
            per_sweep(("by-id", id(owner)), lambda: 1, keep=owner)
            ref = weakref.ref(owner)
            del owner
            gc.collect()
            assert ref() is not None  # its id cannot be taken by a new object while the entry exists
            return ref

    ref = sweep()
    gc.collect()
    assert ref() is None  # dropped with the sweep
