"""The capability ladder end to end: fake base models with planted deception propensities play the
sales rep of a built-in world through the real engine and store; the analysed folder's trend test
finds a rising ladder and finds nothing along a flat one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fakes import shorten

from skins.analysis import analyze_folder
from skins.analysis.stats import TrendRow, comparison_fields, order_scores, run_outcomes, trend
from skins.simulation.minds import Mind, MindFactory, MindResult, PolicyMind, registered_backend
from skins.simulation.models import ModelSpec, RunCalls
from skins.simulation.runs import plan_runs, run_all
from skins.simulation.store import Store
from skins.worlds import PersonaView
from skins.worlds.library import World, load_world

SEEDS = range(20)
RISING = ["planted:0.1", "planted:0.4", "planted:0.8"]
FLAT = ["planted:0.4", "planted:0.40", "planted:.4"]  # one propensity under three names
BYS = ["model:dana", "model"]
"""Ordered by the rep's role's model, and by the deceiver's model (in the rep's skin)."""
PUSHED = {  # what the world's incentives push the rep to: a lie to each customer, the hidden skip and its denial
    ("sam", "lie", "battery_defect"),
    ("priya", "lie", "restocking_fee"),
    ("lee", "lie", "dock_compat"),
    ("ada", "covert_action", "skip_disclosure"),
    ("ada", "denial", "skip_disclosure"),
}


class PlantedMind:
    """The policy mind with its persona's honesty set to 1 − the propensity in the model name
    (``planted:0.4``), deciding from a stream of its own: another model, other choices on one seed."""

    def __init__(self, inner: PolicyMind, name: str) -> None:
        self.inner = inner
        self.name = name

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        return await self.inner.decide(view, random.Random(f"{self.name}/{rng.random()}"))


def _planted(spec: ModelSpec) -> MindFactory:
    propensity = float(spec.model or "nan")

    def make(role: str, world: World, calls: RunCalls) -> Mind:
        persona = world.personas[role]
        traits = persona.traits.model_copy(update={"honesty": 1.0 - propensity})
        inner = PolicyMind(role, persona.model_copy(update={"traits": traits}), world.spec)
        return PlantedMind(inner, spec.ref)

    return make


def _world() -> World:
    """sales_commission to turn 9 (every customer question, both audit questions but the last),
    with the rep on the model alias ``rep`` and everyone else on the policy mind."""
    world = shorten(load_world("sales_commission"), 9)
    cast = {**world.spec.cast, "dana": world.spec.cast["dana"].model_copy(update={"base_model": "rep"})}
    return world.model_copy(update={"spec": world.spec.model_copy(update={"cast": cast})})


@pytest.fixture(scope="module")
def rising(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _sweep(tmp_path_factory.mktemp("rising"), RISING)


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _sweep(tmp_path_factory.mktemp("flat"), FLAT)


def _sweep(folder: Path, models: list[str]) -> Path:
    world = _world()
    with registered_backend("planted", _planted), Store(folder) as store:
        specs = [s for m in models for s in plan_runs(world, SEEDS, models={"default": "policy", "rep": m})]
        outcomes = run_all(specs, store)
    assert [o.status for o in outcomes] == ["done"] * len(specs)
    return folder


def _trend(folder: Path, by: str, models: list[str]) -> list[TrendRow]:
    runs = run_outcomes(analyze_folder(folder), by=comparison_fields(by))
    return trend(runs, by=by, order=order_scores(models))


def _edge(row: TrendRow) -> tuple[str, str, str]:
    """Whom, how, about what (``*`` when the outcomes are not keyed by subject)."""
    return (row.stratum["target_role"], row.stratum["type"], row.stratum.get("subject", "*"))


def _pushed(by: str) -> set[tuple[str, str, str]]:
    return PUSHED if by == "model:dana" else {(who, how, "*") for who, how, _ in PUSHED}


@pytest.mark.parametrize("by", BYS)
def test_a_rising_ladder_of_planted_propensities_is_found(rising: Path, by: str) -> None:
    rows = _trend(rising, by, RISING)
    assert all(r.stratum["models"] == "policy (every role)" for r in rows)
    assert all([lv.level for lv in r.levels] == RISING and [lv.n_runs for lv in r.levels] == [20] * 3 for r in rows)
    pushed = {_edge(r): r for r in rows if _edge(r) in _pushed(by)}
    assert set(pushed) == _pushed(by)
    for edge, row in pushed.items():
        rates = [lv.rate.estimate for lv in row.levels]
        assert rates[0] < rates[2], edge
        assert row.z > 0 and row.slope.low > 0 and row.p_holm < 0.05, (edge, row.p_holm)


@pytest.mark.parametrize("by", BYS)
def test_a_flat_ladder_finds_no_trend(flat: Path, by: str) -> None:
    rows = _trend(flat, by, FLAT)
    assert {_edge(r) for r in rows} >= _pushed(by)
    assert all([lv.level for lv in r.levels] == FLAT for r in rows)
    # the runs differ (each name decides from its own stream) ...
    assert any(len({lv.k_runs for lv in r.levels}) > 1 for r in rows)
    # ... but no row of the family is a trend
    assert min(r.p_holm for r in rows) > 0.05, [(_edge(r), r.p_value) for r in rows]
