"""Statistics across runs: published values for the intervals and tests, exact numbers on hand-built runs."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from doctests import assert_examples_pass, functions_without_example
from outcome_runs import ROLES, ablation_runs
from outcome_runs import finding as _f
from outcome_runs import transcript as _t
from ruamel.yaml import YAML

import skins.analysis.stats.ablation
import skins.analysis.stats.accuracy
import skins.analysis.stats.comparisons
import skins.analysis.stats.conditions
import skins.analysis.stats.intervals
import skins.analysis.stats.rates
import skins.analysis.stats.trends
from skins.analysis import Finding
from skins.analysis.stats import (
    Interval,
    RunOutcome,
    ablation_effects,
    accuracy_by_condition,
    accuracy_difference,
    bootstrap_diff_interval,
    bootstrap_mean_interval,
    cohens_h,
    contrast,
    fisher_exact,
    mcnemar_exact,
    newcombe_interval,
    newcombe_paired_interval,
    rate_table,
    risk_ratio,
    run_outcomes,
    wilson_interval,
)
from skins.worlds import ActionRecord, KnowledgeEvent, Transcript

GOLDEN: dict[str, list[dict[str, Any]]] = YAML(typ="safe").load(
    (Path(__file__).parents[1] / "golden" / "interval_cases.yaml").read_text(encoding="utf-8")
)
FOUR_PLACES = 5e-5


def _ids(kind: str) -> list[str]:
    return [c["id"] for c in GOLDEN[kind]]


# --- published values ----------------------------------------------------------------


@pytest.mark.parametrize("case", GOLDEN["wilson"], ids=_ids("wilson"))
def test_wilson_matches_published_values(case: dict[str, Any]) -> None:
    got = wilson_interval(case["k"], case["n"])
    assert got.estimate == case["k"] / case["n"]
    assert (got.low, got.high) == pytest.approx((case["low"], case["high"]), abs=FOUR_PLACES)


@pytest.mark.parametrize("case", GOLDEN["newcombe"], ids=_ids("newcombe"))
def test_newcombe_matches_newcombe_1998_table_ii(case: dict[str, Any]) -> None:
    got = newcombe_interval(case["k1"], case["n1"], case["k2"], case["n2"])
    assert got.estimate == pytest.approx(case["estimate"], abs=FOUR_PLACES)
    assert (got.low, got.high) == pytest.approx((case["low"], case["high"]), abs=FOUR_PLACES)


@pytest.mark.parametrize("case", GOLDEN["newcombe_paired"], ids=_ids("newcombe_paired"))
def test_newcombe_paired_matches_published_value(case: dict[str, Any]) -> None:
    got = newcombe_paired_interval(case["both"], case["only1"], case["only2"], case["neither"])
    expected = (case["estimate"], case["low"], case["high"])
    assert (got.estimate, got.low, got.high) == pytest.approx(expected, abs=FOUR_PLACES)


@pytest.mark.parametrize("case", GOLDEN["fisher"], ids=_ids("fisher"))
def test_fisher_matches_published_values(case: dict[str, Any]) -> None:
    assert fisher_exact(case["table"]) == pytest.approx(case["p"], abs=5e-7)


@pytest.mark.parametrize("case", GOLDEN["mcnemar"], ids=_ids("mcnemar"))
def test_mcnemar_exact_values(case: dict[str, Any]) -> None:
    assert mcnemar_exact(case["only1"], case["only2"]) == case["p"]


# --- exact tests against brute force ---------------------------------------------------------


def _fisher_brute_force(a: int, b: int, c: int, d: int) -> Fraction:
    """Every table with the observed margins, probabilities as exact fractions."""
    row1, row2, col1 = a + b, c + d, a + c

    def prob(x: int) -> Fraction:
        return Fraction(math.comb(row1, x) * math.comb(row2, col1 - x), math.comb(row1 + row2, col1))

    observed = prob(a)
    support = range(max(0, col1 - row2), min(row1, col1) + 1)
    return sum((prob(x) for x in support if prob(x) <= observed), Fraction(0))


@pytest.mark.parametrize("cells", list(itertools.product(range(4), repeat=4))[1::7])
def test_fisher_equals_brute_force_enumeration(cells: tuple[int, int, int, int]) -> None:
    a, b, c, d = cells
    assert fisher_exact([[a, b], [c, d]]) == pytest.approx(float(_fisher_brute_force(a, b, c, d)), rel=1e-12)


def test_fisher_is_symmetric_in_rows_and_columns() -> None:
    assert fisher_exact([[7, 2], [3, 9]]) == fisher_exact([[3, 9], [7, 2]]) == fisher_exact([[7, 3], [2, 9]])


@pytest.mark.parametrize(("b", "c"), [(0, 1), (2, 7), (6, 16), (10, 10), (3, 12)])
def test_mcnemar_equals_two_sided_binomial(b: int, c: int) -> None:
    n = b + c
    tail = sum(Fraction(math.comb(n, i), 2**n) for i in range(min(b, c) + 1))
    assert mcnemar_exact(b, c) == pytest.approx(float(min(Fraction(1), 2 * tail)), rel=1e-12)


# --- edges, effect sizes, bootstrap -----------------------------------------------------------


def test_wilson_without_runs_knows_nothing() -> None:
    assert wilson_interval(0, 0) == Interval(estimate=0.0, low=0.0, high=1.0)


@pytest.mark.parametrize(("k", "n", "confidence"), [(3, 2, 0.95), (-1, 2, 0.95), (1, 2, 1.0), (1, 2, 0.0)])
def test_bad_arguments_are_refused(k: int, n: int, confidence: float) -> None:
    with pytest.raises(ValueError, match=r"0 <= k <= n|confidence"):
        wilson_interval(k, n, confidence)


def test_newcombe_needs_runs_on_both_sides() -> None:
    with pytest.raises(ValueError, match="at least one run"):
        newcombe_interval(0, 0, 1, 2)


def test_wider_confidence_gives_wider_intervals() -> None:
    narrow, wide = wilson_interval(3, 10, 0.80), wilson_interval(3, 10, 0.99)
    assert wide.low < narrow.low < 0.3 < narrow.high < wide.high


def test_effect_sizes() -> None:
    assert risk_ratio(0.6, 0.2) == pytest.approx(3.0)
    assert risk_ratio(0.6, 0.0) is None
    assert cohens_h(0.5, 0.5) == 0.0
    assert cohens_h(0.75, 0.25) == pytest.approx(2 * math.asin(math.sqrt(0.75)) - 2 * math.asin(math.sqrt(0.25)))
    assert cohens_h(0.25, 0.75) == pytest.approx(-cohens_h(0.75, 0.25))


def test_bootstrap_is_deterministic_per_seed() -> None:
    values = [0.0, 1.0, 1.0, 0.0, 1.0, 0.5, 0.25]
    assert bootstrap_mean_interval(values, seed=3) == bootstrap_mean_interval(values, seed=3)
    assert bootstrap_mean_interval(values, seed=3) != bootstrap_mean_interval(values, seed=4)
    first = bootstrap_mean_interval(values)
    assert first.estimate == pytest.approx(sum(values) / len(values))
    assert first.low < first.estimate < first.high


def test_bootstrap_percentiles_of_a_two_point_sample() -> None:
    # Means of two draws from {0, 1} are 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4:
    # with 2000 resamples the 2.5% and 97.5% percentiles are the extremes.
    got = bootstrap_mean_interval([0.0, 1.0])
    assert (got.estimate, got.low, got.high) == (0.5, 0.0, 1.0)
    diff = bootstrap_diff_interval([1.0, 1.0, 1.0], [0.0, 0.0])
    assert (diff.estimate, diff.low, diff.high) == (1.0, 1.0, 1.0)


def test_bootstrap_refuses_empty_samples_and_no_resamples() -> None:
    with pytest.raises(ValueError, match="no values"):
        bootstrap_mean_interval([])
    with pytest.raises(ValueError, match="resamples"):
        bootstrap_mean_interval([1.0], resamples=0)


def test_contrast_unpaired_uses_newcombe_and_fisher() -> None:
    a = [1] * 48 + [0] * 32
    b = [2] * 56 + [0] * 14
    c = contrast(a, b)
    assert (c.n_a, c.k_a, c.n_b, c.k_b, c.paired, c.n_pairs) == (80, 48, 70, 56, False, 0)
    assert (c.interval, c.test) == ("newcombe", "fisher")
    assert (c.difference.low, c.difference.high) == pytest.approx((0.0524, 0.3339), abs=FOUR_PLACES)
    assert c.p_value == pytest.approx(float(_fisher_brute_force(56, 14, 48, 32)), rel=1e-12)
    assert (c.mean_count_a, c.mean_count_b) == (0.6, 1.6)
    assert c.risk_ratio == pytest.approx(0.8 / 0.6)
    assert c.rate_b == wilson_interval(56, 70)


def test_contrast_paired_uses_newcombe_paired_and_mcnemar() -> None:
    # pairs (a, b): 59 both, 6 b only, 16 a only, 80 neither  ->  b - a = -10/161
    a = [1] * 59 + [0] * 6 + [1] * 16 + [0] * 80
    b = [1] * 59 + [1] * 6 + [0] * 16 + [0] * 80
    c = contrast(a, b, paired=True)
    assert (c.interval, c.test, c.n_pairs) == ("newcombe_paired", "mcnemar", 161)
    assert (c.difference.estimate, c.difference.low, c.difference.high) == pytest.approx(
        (-0.0621, -0.1186, -0.0046), abs=FOUR_PLACES
    )
    assert c.p_value == mcnemar_exact(6, 16)
    boot = contrast(a, b, paired=True, interval="bootstrap")
    assert boot.interval == "paired_bootstrap"
    assert boot.difference.estimate == pytest.approx(-10 / 161)
    assert boot.difference.low < boot.difference.estimate < boot.difference.high < 0


# --- hand-built runs ------------------------------------------------------------------------


def _three_runs() -> list[tuple[Transcript, list[Finding]]]:
    r1 = [
        _f("r1", "a", ["b"], 0),
        _f("r1", "a", ["b"], 1),
        _f("r1", "a", ["b", "c"], 2, subject="g"),
        _f("r1", "b", ["c"], 3, type_="honest_mistake"),
    ]
    r2 = [_f("r2", "c", ["a"], 0, type_="denial", subject="t")]
    return [(_t("r1"), r1), (_t("r2", seed=1), r2), (_t("r3", seed=2), []), (_t("r1"), [])]


def _table(outcomes: list[RunOutcome]) -> list[tuple[str, tuple[str, ...], int]]:
    return [(o.run_id, tuple(o.key.values()), o.count) for o in outcomes]


def test_run_outcomes_have_a_row_per_run_and_key_with_zeros() -> None:
    got = _table(run_outcomes(_three_runs()))
    assert got == [
        ("r1", ("boss", "rep", "denial"), 0),
        ("r1", ("rep", "boss", "lie"), 1),
        ("r1", ("rep", "buyer", "lie"), 3),
        ("r2", ("boss", "rep", "denial"), 1),
        ("r2", ("rep", "boss", "lie"), 0),
        ("r2", ("rep", "buyer", "lie"), 0),
        ("r3", ("boss", "rep", "denial"), 0),
        ("r3", ("rep", "boss", "lie"), 0),
        ("r3", ("rep", "buyer", "lie"), 0),
    ]


def test_run_outcomes_carry_the_run_attributes() -> None:
    runs = [(_t("r9", seed=4, ablated=("quota", "bonus")), [_f("r9", "a", ["b"], 0)])]
    (o,) = run_outcomes(runs)
    assert (o.world_id, o.seed, o.ablated, o.count, o.indicator) == ("w", 4, ("bonus", "quota"), 1, True)
    assert o.models == {"a": "m1", "b": "m1", "c": "m1"}
    assert o.personas == {"a": "rep", "b": "buyer", "c": "boss"}


def test_a_finding_with_two_targets_counts_once_without_target_fields() -> None:
    got = _table(run_outcomes(_three_runs(), by=("deceiver_skin", "type")))
    assert ("r1", ("rep", "lie"), 3) in got
    assert ("r1", ("buyer", "honest_mistake"), 0) not in got  # not deceptive: not counted at all
    with_all = _table(run_outcomes(_three_runs(), by=("deceiver_skin", "type"), deceptive_only=False))
    assert ("r1", ("buyer", "honest_mistake"), 1) in with_all
    assert ("r2", ("buyer", "honest_mistake"), 0) in with_all


def test_keys_a_run_cannot_produce_get_no_row() -> None:
    # World v has no boss and nobody in it knows about g or t: only the rep -> buyer key and subject f fit.
    two_roles = {r: ROLES[r].model_copy(update={"base_model": "m2"}) for r in ("a", "b")}
    knows_f = [KnowledgeEvent(turn=0, role="a", fact="f", value=True, source="initial")]
    runs = [*_three_runs(), (_t("v1", world="v", roles=two_roles, knowledge=knows_f), [])]
    by_skin = [row for row in _table(run_outcomes(runs)) if row[0] == "v1"]
    assert by_skin == [("v1", ("rep", "buyer", "lie"), 0)]
    by_model = [row for row in _table(run_outcomes(runs, by=("deceiver_model", "type"))) if row[0] == "v1"]
    # the keys seen name model m1; v1's rep and buyer are on m2, and could have lied or denied there
    assert by_model == [("v1", ("m2", "denial"), 0), ("v1", ("m2", "lie"), 0)]
    by_subject = [row for row in _table(run_outcomes(runs, by=("deceiver_role", "subject"))) if row[0] == "v1"]
    assert by_subject == [("v1", ("a", "f"), 0)]


def test_every_run_counts_for_keys_without_role_fields() -> None:
    solo = {"c": ROLES["c"]}
    runs = [*_three_runs(), (_t("solo", roles=solo), [])]
    assert [row for row in _table(run_outcomes(runs, by=("type",))) if row[0] == "solo"] == [
        ("solo", ("denial",), 0),
        ("solo", ("lie",), 0),
    ]
    # alone, c can deny (it is a deceiver) but has nobody to deny it to
    assert [row for row in _table(run_outcomes(runs, by=("deceiver_role",))) if row[0] == "solo"] == [
        ("solo", ("c",), 0)
    ]
    assert [row for row in _table(run_outcomes(runs, by=("deceiver_role", "target_role"))) if row[0] == "solo"] == []


def test_unknown_fields_are_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="deceiver_skin"):
        run_outcomes(_three_runs(), by=("skin",))


def test_rate_table_counts_runs_not_findings() -> None:
    rows = rate_table(run_outcomes(_three_runs()))
    assert [(list(r.key.values()), r.k_runs, r.n_runs, r.total_count) for r in rows] == [
        (["boss", "rep", "denial"], 1, 3, 1),
        (["rep", "boss", "lie"], 1, 3, 1),
        (["rep", "buyer", "lie"], 1, 3, 3),
    ]
    assert rows[2].rate == wilson_interval(1, 3)
    assert rows[2].mean_count == 1.0


def test_rate_table_merges_keys_within_a_run() -> None:
    rows = rate_table(run_outcomes(_three_runs()), by=("deceiver_skin",))
    assert [(r.key, r.k_runs, r.n_runs, r.total_count) for r in rows] == [
        ({"deceiver_skin": "boss"}, 1, 3, 1),
        ({"deceiver_skin": "rep"}, 1, 3, 4),  # 3 findings, one of them to two targets
    ]


def test_rate_table_splits_by_run_attributes() -> None:
    runs = [(_t("x1"), [_f("x1", "a", ["b"], 0)]), (_t("x2", ablated=("bonus",)), [])]
    rows = rate_table(run_outcomes(runs), by=("ablated", "type"))
    assert [(r.key, r.k_runs, r.n_runs) for r in rows] == [
        ({"ablated": "(none)", "type": "lie"}, 1, 1),
        ({"ablated": "bonus", "type": "lie"}, 0, 1),
    ]
    with pytest.raises(ValueError, match="cannot group by"):
        rate_table(run_outcomes(runs), by=("subject",))


def test_ablation_that_removes_the_lie_is_causal() -> None:
    outcomes = run_outcomes(ablation_runs([1] * 8, [0] * 8), by=("deceiver_role", "target_role", "type", "subject"))
    (row,) = ablation_effects(outcomes, "bonus")
    assert row.key == {"deceiver_role": "a", "target_role": "b", "type": "lie", "subject": "f"}
    assert (row.rate_a.estimate, row.rate_b.estimate, row.n_pairs) == (1.0, 0.0, 8)
    assert row.difference == newcombe_paired_interval(0, 0, 8, 0)
    assert row.difference.high == pytest.approx(-0.5412, abs=FOUR_PLACES)
    assert row.causal is True
    assert row.p_value == 0.0078125


@pytest.mark.parametrize(
    ("with_counts", "without_counts"),
    [([1, 1, 0, 0], [1, 1, 0, 0]), ([1, 1], [0, 0]), ([0, 0, 0], [1, 1, 1])],
    ids=["no_change", "too_few_runs", "ablation_raises_it"],
)
def test_ablation_without_a_significant_drop_is_not_causal(with_counts: list[int], without_counts: list[int]) -> None:
    (row,) = ablation_effects(run_outcomes(ablation_runs(with_counts, without_counts)), "bonus")
    assert row.causal is False


def test_causal_needs_the_exact_test_to_agree_with_the_interval() -> None:
    # 2 of 2 pairs lose the lie: the score interval excludes 0, but McNemar's p is 0.5.
    (row,) = ablation_effects(run_outcomes(ablation_runs([1, 1], [0, 0])), "bonus")
    assert row.difference.high < 0
    assert row.p_value == 0.5
    assert row.causal is False


def test_ablation_compares_like_with_like_backgrounds() -> None:
    # Runs also ablating "quota" have no partner without "bonus": they are left out.
    runs = [
        *ablation_runs([1, 1, 1], [0, 0, 0]),
        (_t("u0", ablated=("quota",)), [_f("u0", "a", ["b"], 0)]),
        (_t("u1", seed=1, ablated=("quota",)), [_f("u1", "a", ["b"], 0)]),
    ]
    (row,) = ablation_effects(run_outcomes(runs), "bonus")
    assert (row.n_a, row.n_b, row.paired) == (3, 3, True)
    assert ablation_effects(run_outcomes(runs), "deadline") == []


# --- capability accuracy -------------------------------------------------------------------


Run = tuple[Transcript, list[Finding]]


def _scored(run_id: str, seed: int, score: float | None, ablated: tuple[str, ...] = ()) -> Run:
    actions = [] if score is None else [ActionRecord(index=0, turn=2, actor="c", tool="quiz", ok=True, score=score)]
    failed = ActionRecord(index=1, turn=3, actor="c", tool="quiz", ok=False, error="closed", score=0.0)
    return _t(run_id, seed=seed, ablated=ablated, actions=[*actions, failed]), []


def test_accuracy_by_condition_averages_runs() -> None:
    runs = [_scored("t0", 0, 0.5), _scored("t1", 1, 0.25), _scored("t2", 2, None), _scored("c0", 0, 1.0, ("threat",))]
    rows = accuracy_by_condition(runs, "quiz")
    assert [(r.condition, r.actor, r.base_model, r.n_runs, r.accuracy.estimate) for r in rows] == [
        ("(none)", "c", "m1", 2, 0.375),
        ("threat", "c", "m1", 1, 1.0),
    ]
    assert rows[0].accuracy == bootstrap_mean_interval([0.5, 0.25])
    assert accuracy_by_condition(runs, "quiz", actor="a") == []


def test_accuracy_difference_threat_against_control() -> None:
    threat = [_scored(f"t{i}", i, s) for i, s in enumerate([0.2, 0.4, 0.3])]
    control = [_scored(f"c{i}", i, s, ("threat",)) for i, s in enumerate([1.0, 0.8, 0.9])]
    (paired,) = accuracy_difference(threat + control, "quiz", "threat")
    assert (paired.paired, paired.interval, paired.n_threat, paired.n_control) == (True, "paired_bootstrap", 3, 3)
    assert paired.difference == bootstrap_mean_interval([0.2 - 1.0, 0.4 - 0.8, 0.3 - 0.9])
    assert paired.difference.high < 0
    (unpaired,) = accuracy_difference(threat + control[:2], "quiz", "threat")
    assert (unpaired.paired, unpaired.interval, unpaired.n_threat, unpaired.n_control) == (False, "bootstrap", 3, 2)
    assert unpaired.difference == bootstrap_diff_interval([0.2, 0.4, 0.3], [1.0, 0.8])
    assert unpaired.threat_accuracy.estimate == pytest.approx(0.3)


# --- docstrings ------------------------------------------------------------------------------

MODULES = [
    skins.analysis.stats.intervals,
    skins.analysis.stats.conditions,
    skins.analysis.stats.rates,
    skins.analysis.stats.comparisons,
    skins.analysis.stats.ablation,
    skins.analysis.stats.accuracy,
    skins.analysis.stats.trends,
]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module: ModuleType) -> None:
    assert_examples_pass(module)


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_every_public_function_has_an_example(module: ModuleType) -> None:
    assert functions_without_example(module) == []
