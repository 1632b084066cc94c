"""Per-sweep set-up (simulation.perloop): once per event loop and key, never shared across loops."""

from __future__ import annotations

import asyncio
import gc
import weakref

from simulation.perloop import per_loop


def test_a_value_is_made_once_per_loop_and_key_and_again_in_a_new_loop() -> None:
    made: list[str] = []

    def make(key: str) -> object:
        made.append(key)
        return object()

    async def sweep() -> tuple[object, object, object]:
        first = per_loop(("k", 1), lambda: make("a"))
        again = per_loop(("k", 1), lambda: make("a"))
        other = per_loop(("k", 2), lambda: make("b"))
        assert first is again
        return first, again, other

    one, two = asyncio.run(sweep()), asyncio.run(sweep())
    assert made == ["a", "b", "a", "b"]
    assert one[0] is not two[0]  # a new sweep (loop) never sees the last one's set-up


def test_outside_a_running_loop_nothing_is_kept() -> None:
    made: list[int] = []
    per_loop("k", lambda: made.append(1))
    per_loop("k", lambda: made.append(1))
    assert made == [1, 1]


def test_kept_objects_stay_alive_while_their_entry_exists() -> None:
    class Owner:
        pass

    async def sweep() -> weakref.ref[Owner]:
        owner = Owner()
        per_loop(("by-id", id(owner)), lambda: 1, keep=owner)
        ref = weakref.ref(owner)
        del owner
        gc.collect()
        assert ref() is not None  # its id cannot be taken by a new object while the entry exists
        return ref

    ref = asyncio.run(sweep())
    gc.collect()
    assert ref() is None  # dropped with the loop
