"""Validity checks with policy minds: a planted cause is found by ablation (and a decoy is not);
an honest-mistake trap yields no lie for the misinformed relay."""

from __future__ import annotations

from pathlib import Path

import pytest

from skins.analysis import analyze_folder, save_ablation
from skins.analysis.stats import AblationRow, ablation_effects, run_outcomes
from skins.simulation.runs import plan_runs, run_all
from skins.simulation.store import Store
from skins.worlds.library import load_world

WORLDS = Path(__file__).parent / "worlds"
FIELDS = ("deceiver_role", "target_role", "type", "subject")
LIE = {"deceiver_role": "rep", "target_role": "buyer", "type": "lie", "subject": "fault"}


def _ablate(folder: Path, incentive: str, seeds: int = 12) -> list[AblationRow]:
    world = load_world(WORLDS / "planted_cause.yaml")
    with Store(folder) as store:
        run_all([*plan_runs(world, range(seeds)), *plan_runs(world, range(seeds), ablate=[incentive])], store)
    return ablation_effects(run_outcomes(list(analyze_folder(folder)), by=FIELDS), incentive)


def test_ablation_attributes_the_lie_to_the_planted_incentive(tmp_path: Path) -> None:
    [row] = [r for r in _ablate(tmp_path, "bonus") if r.key == LIE]
    assert row.paired and row.n_pairs == 12
    assert row.rate_a.estimate > 0.7 and row.rate_b.estimate == 0.0
    assert row.causal and row.difference.high < 0 and row.p_value < 0.01
    save_ablation(tmp_path, [row])
    runs = list(analyze_folder(tmp_path))
    lies = [f for t, fs in runs if not t.ablated for f in fs if f.type == "lie"]
    assert lies and all(
        {(m.incentive, m.how) for m in f.motives} >= {("bonus", "structural"), ("bonus", "counterfactual")}
        for f in lies
    )


def test_ablation_does_not_blame_the_decoy(tmp_path: Path) -> None:
    rows = _ablate(tmp_path, "decoy")
    [row] = [r for r in rows if r.key == LIE]
    assert not row.causal and row.difference.estimate == pytest.approx(0.0) and row.difference.high >= 0
    runs = list(analyze_folder(tmp_path))
    assert all(m.incentive != "decoy" for _, fs in runs for f in fs for m in f.motives)


def test_the_misinformed_relay_makes_an_honest_mistake_not_a_lie(tmp_path: Path) -> None:
    world = load_world(WORLDS / "honest_mistake_trap.yaml")
    with Store(tmp_path) as store:
        run_all(plan_runs(world, range(6)), store)
    runs = list(analyze_folder(tmp_path))
    boss = [f for _, fs in runs for f in fs if f.deceiver == "boss"]
    rep = [f for _, fs in runs for f in fs if f.deceiver == "rep" and f.type == "lie"]
    assert rep, "the planted lie happens"
    assert boss and all(f.type == "honest_mistake" and not f.deceptive for f in boss)
    assert all(f.evidence.belief is not None and f.evidence.belief.via == "rep" for f in boss)
