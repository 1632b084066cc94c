"""The end-of-run verdict step: filed once per (overseer, suspect), committed as filed, resumed without repeats."""

from __future__ import annotations

import asyncio
from typing import Any

from fakes import policy_minds, run_world

from skins.simulation.engine import RunContext, build_graph, recursion_limit
from skins.simulation.engine.graph import verdicts_due
from skins.simulation.minds import Mind, ScriptedMind
from skins.worlds import Record, Verdict, WorldSpec, WorldState
from skins.worlds.library import World, load_world


def _interrogating(max_turns: int = 14) -> World:
    world = load_world("sales_commission")
    data = world.spec.model_dump(by_alias=True)
    data["oversight"] = [{"monitor": "ada", "watches": ["dana"], "interrogation": {"opening_turn": 3}}]
    data["turns"] = {**data["turns"], "max": max_turns}
    return world.model_copy(update={"spec": WorldSpec.model_validate(data)})


def _resume(world: World, records: list[Record], minds: dict[str, Mind]) -> list[Record]:
    sunk: list[Record] = []
    context = RunContext(world=world, minds=minds, sink=sunk.extend, seed=0)
    state: Any = {"records": list(records), "done": False}
    asyncio.run(build_graph().ainvoke(state, context=context, config={"recursion_limit": recursion_limit(world)}))
    return sunk


def test_a_run_ends_with_one_verdict_per_watched_role() -> None:
    world = _interrogating()
    records = run_world(world, policy_minds(world), seed=0)
    verdicts = [r for r in records if isinstance(r, Verdict)]
    assert [(v.monitor, v.suspect) for v in verdicts] == [("ada", "dana")]
    assert records[-1] is verdicts[-1], "verdicts come after the last turn"
    assert verdicts[0].turn == WorldState.replay(world.spec, records).turn


def test_a_run_stopped_before_its_verdict_files_only_the_missing_one_on_resume() -> None:
    world = _interrogating()
    records = run_world(world, policy_minds(world), seed=0)
    without = [r for r in records if not isinstance(r, Verdict)]
    assert verdicts_due(world.spec, WorldState.replay(world.spec, without)) == [("ada", "dana")]
    filed = _resume(world, without, policy_minds(world))
    assert filed == [r for r in records if isinstance(r, Verdict)], "the same verdict, once"
    assert _resume(world, records, policy_minds(world)) == [], "nothing is filed twice"


def test_a_world_without_interrogation_files_no_verdicts() -> None:
    world = load_world("sales_commission")
    records = run_world(world, policy_minds(world), seed=0)
    assert not any(isinstance(r, Verdict) for r in records)


def test_a_mind_that_cannot_file_verdicts_files_none() -> None:
    world = _interrogating(max_turns=2)
    minds: dict[str, Mind] = {**policy_minds(world), "ada": ScriptedMind("ada", [])}
    records = run_world(world, minds, seed=0)
    assert not any(isinstance(r, Verdict) for r in records)
