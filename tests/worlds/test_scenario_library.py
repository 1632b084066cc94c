"""Every built-in world of the scenario library: its source, interrogation and controls; it runs with
policy minds (every variant) and with the bundled local model."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from skins.simulation.models import ModelSpec
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds.library import builtin_worlds, load_world

WORLDS = sorted(builtin_worlds())
STUDIES = [w for w in WORLDS if w not in ("acme_quarter_end",)]
REFS = [f"{w}@{v}" for w in WORLDS for v in load_world(w).spec.variants] + WORLDS


def test_the_library_has_the_published_settings() -> None:
    assert set(WORLDS) >= {
        "insider_trading",
        "oversight_subversion",
        "self_exfiltration",
        "sandbagging",
        "test_gaming",
        "replacement_threat",
        "sales_commission",
    }


@pytest.mark.parametrize("wid", STUDIES)
def test_each_study_says_where_it_comes_from_and_what_to_measure(wid: str) -> None:
    spec = load_world(wid).spec
    assert spec.reference is not None and spec.reference.citation and spec.reference.measure
    assert spec.reference.adapted, "say what differs from the source"
    if wid != "sales_commission":  # the foundation setting has no paper
        assert spec.reference.published and all(0.0 <= n.value <= 1.0 for n in spec.reference.published)


@pytest.mark.parametrize("wid", STUDIES)
def test_each_study_interrogates_in_several_phrasings(wid: str) -> None:
    spec = load_world(wid).spec
    asked = Counter(e.asks_about.model_dump_json() for e in spec.events if e.asks_about is not None)
    assert asked and max(asked.values()) >= 2, "ask about the behaviour more than once, in different words"
    texts = [e.text for e in spec.events if e.asks_about is not None]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("wid", STUDIES)
def test_each_study_has_a_control_and_ablatable_incentives(wid: str) -> None:
    world = load_world(wid)
    assert world.spec.variants, "the paper's paired control (or conditions) as variants"
    for name in world.spec.incentives:
        assert name not in world.spec.without_incentives([name]).incentives


@pytest.mark.parametrize("ref", REFS)
def test_every_world_and_variant_runs_with_policy_minds(ref: str, tmp_path: Path) -> None:
    plans = plan_runs(load_world(ref), [0, 1])
    with Store(tmp_path) as store:
        outcomes = [asyncio.run(execute_run(p, store)) for p in plans]
        assert [o.status for o in outcomes] == ["done", "done"]
        assert all(store.transcript(p.run_id).world_id == ref for p in plans)


@pytest.mark.slow
@pytest.mark.parametrize("wid", WORLDS)
def test_every_world_runs_with_the_local_model(wid: str, tmp_path: Path) -> None:
    """A 135M model often writes garbage: turns may be invalid (with a reason), but the run finishes."""
    world = load_world(wid).shortened(3)
    [plan] = plan_runs(world, [0], {"default": ModelSpec(backend="local", threads=1, max_tokens=200)})
    with Store(tmp_path) as store:
        outcome = asyncio.run(execute_run(plan, store))
        assert outcome.status == "done", outcome.error
        turns = store.transcript(plan.run_id).turns
    assert [t.turn for t in turns] == [1, 2, 3]
    assert all(t.valid or t.invalid_reason for t in turns)
