"""Every built-in world runs a few turns with a fixed seed (like Mesa's test_examples)."""

from __future__ import annotations

import pytest
from fakes import policy_minds, run_world

from skins.worlds import TurnRecord
from skins.worlds.library import builtin_worlds, load_world


@pytest.mark.parametrize("world_id", sorted(builtin_worlds()))
def test_builtin_world_runs_a_few_turns(world_id: str) -> None:
    world = load_world(world_id)
    spec = world.spec.model_copy(update={"turns": world.spec.turns.model_copy(update={"max": 4})})
    short = world.model_copy(
        update={"spec": spec.model_copy(update={"events": [e for e in spec.events if e.turn <= 4]})}
    )
    records = run_world(short, policy_minds(short), seed=0)
    turns = [r for r in records if isinstance(r, TurnRecord)]
    assert len(turns) == 4
    assert all(t.valid and t.invalid_reason is None for t in turns), [t.invalid_reason for t in turns]
    assert all(t.role in world.spec.cast for t in turns)
