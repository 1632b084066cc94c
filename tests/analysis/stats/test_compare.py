"""Comparisons between conditions: any factor, the others held fixed, paired by seed, adjusted p-values."""

from __future__ import annotations

import pytest
from outcome_runs import ROLES, ablation_runs
from outcome_runs import finding as _f
from outcome_runs import transcript as _t

from skins.analysis import Finding
from skins.analysis.stats import (
    bootstrap_diff_interval,
    cohens_h,
    compare,
    mcnemar_exact,
    newcombe_interval,
    newcombe_paired_interval,
    run_outcomes,
)
from skins.worlds import Transcript

# --- comparisons ---------------------------------------------------------------------------

SKIN_BY = ("deceiver_skin", "deceiver_model", "target_skin", "type")


def test_compare_skins_on_one_model_pairs_them_within_runs() -> None:
    # rep lies to the buyer in r1-r3, boss in r1 only; r4 has neither.
    runs = [
        (_t("r1"), [_f("r1", "a", ["b"], 0), _f("r1", "c", ["b"], 1)]),
        (_t("r2", seed=1), [_f("r2", "a", ["b"], 0)]),
        (_t("r3", seed=2), [_f("r3", "a", ["b"], 0)]),
        (_t("r4", seed=3), []),
    ]
    (row,) = compare(run_outcomes(runs, by=SKIN_BY), by="skin")
    assert (row.condition_a, row.condition_b) == ("boss", "rep")
    assert row.stratum == {
        "world": "w",
        "variant": "default",
        "ablation": "(none)",
        "models": "m1 (every role)",
        "deceiver_model": "m1",
        "target_skin": "buyer",
        "type": "lie",
    }
    assert (row.paired, row.n_pairs, row.k_a, row.k_b, row.n_a, row.n_b) == (True, 4, 1, 3, 4, 4)
    assert row.difference == newcombe_paired_interval(1, 2, 0, 1)
    assert (row.interval, row.test, row.p_value) == ("newcombe_paired", "mcnemar", 0.5)
    assert row.risk_ratio == 3.0
    assert row.cohens_h == pytest.approx(cohens_h(0.75, 0.25))


def _model_runs(seed_offset: int) -> list[tuple[Transcript, list[Finding]]]:
    """The rep lies in 3 of 4 runs on m1 and 1 of 4 on m2; m2's seeds start at ``seed_offset``."""
    on_m2 = {**ROLES, "a": ROLES["a"].model_copy(update={"base_model": "m2"})}
    runs = []
    for i in range(4):
        runs.append((_t(f"p{i}", seed=i), [_f(f"p{i}", "a", ["b"], 0)] if i < 3 else []))
        runs.append((_t(f"q{i}", seed=seed_offset + i, roles=on_m2), [_f(f"q{i}", "a", ["b"], 0)] if i < 1 else []))
    return runs


def test_compare_models_in_one_skin_unpaired() -> None:
    (row,) = compare(run_outcomes(_model_runs(seed_offset=10), by=SKIN_BY), by="model")
    assert (row.condition_a, row.condition_b, row.paired) == ("m1", "m2", False)
    held = {"world": "w", "variant": "default", "ablation": "(none)", "models": "m1 (every other role)"}
    assert row.stratum == {**held, "deceiver_skin": "rep", "target_skin": "buyer", "type": "lie"}
    assert row.difference == newcombe_interval(1, 4, 3, 4)
    assert row.difference.estimate == -0.5
    assert row.test == "fisher"
    assert row.p_value == pytest.approx(34 / 70)


def test_compare_models_pairs_runs_that_differ_only_in_the_model() -> None:
    (row,) = compare(run_outcomes(_model_runs(seed_offset=0), by=SKIN_BY), by="model")
    assert (row.paired, row.n_pairs, row.test) == (True, 4, "mcnemar")
    assert row.p_value == mcnemar_exact(0, 2)


def test_compare_unpaired_bootstrap_is_the_stated_alternative() -> None:
    (row,) = compare(run_outcomes(_model_runs(seed_offset=10), by=SKIN_BY), by="model", interval="bootstrap")
    assert row.interval == "bootstrap"
    assert row.difference == bootstrap_diff_interval([1.0, 0, 0, 0], [1.0, 1, 1, 0])


def test_compare_needs_the_fixed_field_in_the_key() -> None:
    with pytest.raises(ValueError, match=r"base model fixed.*comparison_fields\('skin'\)"):
        compare(run_outcomes([(_t("r1"), [_f("r1", "a", ["b"], 0)])]), by="skin")


def test_comparisons_are_reproducible() -> None:
    runs = ablation_runs([1, 0, 1, 1, 0, 1], [0, 1, 0, 0, 0, 1])
    first = compare(run_outcomes(runs), by="ablation", interval="bootstrap")
    assert first == compare(run_outcomes(list(reversed(runs))), by="ablation", interval="bootstrap")
    assert first[0].interval == "paired_bootstrap"


def test_compare_ablations_pairs_by_world_seed_and_models() -> None:
    runs = ablation_runs([1, 2, 1, 0, 1], [0, 0, 1, 0, 0])
    (row,) = compare(run_outcomes(runs), by="ablation")
    assert (row.condition_a, row.condition_b, row.paired, row.n_pairs) == ("(none)", "bonus", True, 5)
    assert row.difference.estimate == pytest.approx(-0.6)
    assert row.p_value == mcnemar_exact(0, 3) == 0.25
    assert (row.mean_count_a, row.mean_count_b) == (1.0, 0.2)


def test_incomplete_pairs_fall_back_to_unpaired_unless_forced() -> None:
    runs = ablation_runs([1, 1, 1, 0, 1], [0, 0, 1, 0])
    (auto,) = compare(run_outcomes(runs), by="ablation")
    assert (auto.paired, auto.n_a, auto.n_b, auto.test) == (False, 5, 4, "fisher")
    (forced,) = compare(run_outcomes(runs), by="ablation", paired=True)
    assert (forced.paired, forced.n_pairs, forced.n_a, forced.n_b) == (True, 4, 4, 4)
    (never,) = compare(run_outcomes(ablation_runs([1, 0], [0, 1])), by="ablation", paired=False)
    assert never.paired is False


# --- any factor, never pooled by accident ------------------------------------------------------


def _scenario_and_control(
    scenario: list[int], control: list[int], world: str = "w"
) -> list[tuple[Transcript, list[Finding]]]:
    """Runs of ``world`` (lies per seed in ``scenario``) and of ``world@control``, seeds 0, 1, ..."""
    runs = []
    for variant, counts in ((world, scenario), (f"{world}@control", control)):
        for seed, count in enumerate(counts):
            rid = f"{variant}-{seed}"
            runs.append((_t(rid, seed=seed, world=variant), [_f(rid, "a", ["b"], i) for i in range(count)]))
    return runs


def test_compare_by_variant_against_its_control_is_paired_by_seed() -> None:
    runs = _scenario_and_control([1, 1, 1, 1, 1, 0], [0, 0, 0, 1, 0, 0])
    (row,) = compare(run_outcomes(runs, by=EDGE), by="variant", baseline="control")
    assert (row.condition_a, row.condition_b, row.paired, row.n_pairs) == ("control", "default", True, 6)
    assert (row.k_a, row.k_b, row.test) == (1, 5, "mcnemar")
    assert row.p_value == mcnemar_exact(4, 0) == 0.125
    assert row.stratum["world"] == "w" and "variant" not in row.stratum
    assert row.pooled == []


def test_compare_never_pools_two_worlds_that_share_a_role_id() -> None:
    # Both worlds name their deceiver "a"; the ablation is compared within each world.
    runs = [*ablation_runs([1, 1, 1, 1], [0, 0, 0, 0]), *_ablation_runs_in("v", [1, 0, 1, 0], [1, 0, 1, 0])]
    rows = compare(run_outcomes(runs, by=EDGE), by="ablation")
    assert [(r.stratum["world"], r.n_pairs, r.difference.estimate) for r in rows] == [("v", 4, 0.0), ("w", 4, -1.0)]
    (pooled,) = compare(run_outcomes(runs, by=EDGE), by="ablation", pool=["world"])
    assert (pooled.pooled, pooled.n_pairs, pooled.paired) == (["world"], 8, True)
    assert "world" not in pooled.stratum


def _ablation_runs_in(
    world: str, with_counts: list[int], without_counts: list[int]
) -> list[tuple[Transcript, list[Finding]]]:
    runs = []
    for ablated, counts in (((), with_counts), (("bonus",), without_counts)):
        for seed, count in enumerate(counts):
            rid = f"{world}-{'-'.join(ablated)}-{seed}"
            t = _t(rid, seed=seed, world=world, ablated=ablated)
            runs.append((t, [_f(rid, "a", ["b"], i) for i in range(count)]))
    return runs


def test_compare_holds_the_variant_fixed_when_comparing_ablations() -> None:
    runs = [
        *_ablation_runs_in("w", [1, 1, 0, 1], [0, 0, 0, 0]),
        *_ablation_runs_in("w@control", [0, 0, 1, 0], [0, 0, 0, 0]),
    ]
    rows = compare(run_outcomes(runs, by=EDGE), by="ablation")
    assert [(r.stratum["variant"], r.k_a, r.n_pairs) for r in rows] == [("control", 1, 4), ("default", 3, 4)]


def test_baseline_must_be_a_level() -> None:
    with pytest.raises(ValueError, match=r"levels are \['control', 'default'\]"):
        compare(run_outcomes(_scenario_and_control([1], [0]), by=EDGE), by="variant", baseline="aligned")


def test_unknown_factor_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="choose one of world, variant, ablation"):
        compare([], by="colour")


def test_adjusted_p_values_cover_the_family_of_rows() -> None:
    runs = [*_scenario_and_control([1] * 8, [0] * 8), *_scenario_and_control([1, 0] * 4, [0, 1] * 4, world="v")]
    rows = compare(run_outcomes(runs, by=EDGE), by="variant", baseline="control")
    assert [r.stratum["world"] for r in rows] == ["v", "w"]
    raw = [r.p_value for r in rows]
    assert raw == [1.0, mcnemar_exact(8, 0)]
    assert [r.p_holm for r in rows] == [1.0, min(1.0, 2 * raw[1])]
    assert [r.p_bh for r in rows] == [1.0, min(1.0, 2 * raw[1])]


def test_compare_by_one_roles_model_holds_the_others_fixed() -> None:
    cheap = {**ROLES, "b": ROLES["b"].model_copy(update={"base_model": "cheap"})}
    runs = []
    for i in range(3):
        runs.append((_t(f"x{i}", seed=i), [_f(f"x{i}", "a", ["b"], 0)]))
        runs.append((_t(f"y{i}", seed=i, roles=cheap), []))
    (row,) = compare(run_outcomes(runs, by=EDGE), by="model:b", baseline="m1")
    assert (row.condition_a, row.condition_b, row.paired, row.k_a, row.k_b) == ("m1", "cheap", True, 3, 0)
    assert row.stratum["models"] == "m1 (every other role)"


EDGE = ("deceiver_role", "target_role", "type", "subject")
"""One deception-graph edge. These hand-built runs record nothing, so a subject occurs in a world when
some run of it, whatever the variant, has a finding about it."""
