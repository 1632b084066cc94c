"""Trend tests along ordered levels: the Cochran–Armitage test against published values and
statsmodels, its exact form against brute-force enumeration, and trends over hand-built runs."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outcome_runs import ROLES
from outcome_runs import finding as _f
from outcome_runs import transcript as _t
from ruamel.yaml import YAML

import skins.analysis.stats.trends as trend_module
from skins.analysis.stats import (
    RunOutcome,
    benjamini_hochberg,
    cochran_armitage,
    compare,
    comparison_fields,
    holm,
    order_scores,
    run_outcomes,
    trend,
    wilson_interval,
)

GOLDEN: dict[str, list[dict[str, Any]]] = YAML(typ="safe").load(
    (Path(__file__).parents[1] / "golden" / "trend_cases.yaml").read_text(encoding="utf-8")
)


def _levels(case: dict[str, Any]) -> list[tuple[float, int, int]]:
    return list(zip(case["scores"], case["k"], case["n"], strict=True))


def _conditional(case: dict[str, Any], z: float) -> float:
    """Our z in the exact-conditional-variance form: z * sqrt((N - 1) / N)."""
    n = sum(case["n"])
    return z * math.sqrt((n - 1) / n)


# --- the test: published values --------------------------------------------------------------


@pytest.mark.parametrize("case", GOLDEN["published"], ids=[c["id"] for c in GOLDEN["published"]])
def test_cochran_armitage_matches_published_values(case: dict[str, Any]) -> None:
    got = cochran_armitage(_levels(case))
    if "z" in case:
        assert got.z == pytest.approx(case["z"], abs=5e-5)
    if "m2" in case:
        assert _conditional(case, got.z) ** 2 == pytest.approx(case["m2"], abs=5e-3)
    if "p_exact" in case:
        assert got.test == "exact"
        assert got.p_exact == pytest.approx(case["p_exact"], rel=5e-4)


@pytest.mark.parametrize("case", GOLDEN["statsmodels"], ids=[c["id"] for c in GOLDEN["statsmodels"]])
def test_cochran_armitage_agrees_with_statsmodels(case: dict[str, Any]) -> None:
    got = cochran_armitage(_levels(case))
    assert _conditional(case, got.z) == pytest.approx(case["z"], rel=1e-8)
    n = sum(case["n"])
    # statsmodels' p is ours with z scaled to its variance: the same normal tail
    assert math.erfc(abs(got.z) * math.sqrt((n - 1) / n) / math.sqrt(2)) == pytest.approx(case["p"], rel=1e-7)


def test_the_slope_is_the_least_squares_slope_over_runs_with_a_wald_interval() -> None:
    levels = [(1.0, 1, 10), (2.0, 4, 10), (3.0, 8, 10)]
    got = cochran_armitage(levels)
    # one (score, outcome) point per run: the ordinary least-squares slope is the weighted one
    points = [(s, float(i < k)) for s, k, n in levels for i in range(n)]
    xbar = sum(x for x, _ in points) / len(points)
    ybar = sum(y for _, y in points) / len(points)
    slope = sum((x - xbar) * (y - ybar) for x, y in points) / sum((x - xbar) ** 2 for x, _ in points)
    assert got.slope.estimate == pytest.approx(slope) == pytest.approx(0.35)
    # unpooled: (1^2 * 1 * 9 / 10 + 1^2 * 8 * 2 / 10) / 20^2 = 0.00625
    half = 1.959964 * math.sqrt(0.00625)
    assert (got.slope.low, got.slope.high) == pytest.approx((0.35 - half, 0.35 + half), abs=1e-6)
    assert got.p_value == got.p_exact and got.test == "exact"
    assert got.n_runs == 30 and got.k_runs == 13


def test_reversing_or_rescaling_scores_flips_or_keeps_the_test() -> None:
    levels = [(1.0, 2, 12), (2.0, 5, 11), (3.0, 9, 12), (5.0, 10, 12)]
    base = cochran_armitage(levels)
    rescaled = cochran_armitage([(10 * s - 3, k, n) for s, k, n in levels])
    reversed_ = cochran_armitage([(-s, k, n) for s, k, n in levels])
    assert rescaled.z == pytest.approx(base.z) and rescaled.p_exact == pytest.approx(base.p_exact)
    assert rescaled.slope.estimate == pytest.approx(base.slope.estimate / 10)
    assert reversed_.z == pytest.approx(-base.z) and reversed_.p_exact == pytest.approx(base.p_exact)
    assert base.z > 0 and reversed_.slope.high < 0


# --- the exact test ----------------------------------------------------------------------------


def _brute_force_p(levels: list[tuple[float, int, int]]) -> float:
    """Every table with the levels' runs and the same total of runs with a finding, weighted."""
    n_total, k_total = sum(n for *_, n in levels), sum(k for _, k, _ in levels)
    mean = sum(s * n for s, _, n in levels) / n_total
    observed = abs(sum((s - mean) * k for s, k, _ in levels))
    tail = total = 0
    for xs in itertools.product(*(range(n + 1) for *_, n in levels)):
        if sum(xs) != k_total:
            continue
        weight = math.prod(math.comb(n, x) for (*_, n), x in zip(levels, xs, strict=True))
        total += weight
        if abs(sum((s - mean) * x for (s, _, _), x in zip(levels, xs, strict=True))) >= observed - 1e-9:
            tail += weight
    assert total == math.comb(n_total, k_total)
    return tail / total


@st.composite
def _small_tables(draw: st.DrawFn) -> list[tuple[float, int, int]]:
    count = draw(st.integers(2, 4))
    scores = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 7.25]), min_size=count, max_size=count))
    ns = draw(st.lists(st.integers(1, 6), min_size=count, max_size=count))
    ks = [draw(st.integers(0, n)) for n in ns]
    return list(zip(scores, ks, ns, strict=True))


@settings(max_examples=150, deadline=None)
@given(_small_tables())
def test_the_exact_p_value_is_the_enumerated_one(levels: list[tuple[float, int, int]]) -> None:
    if len({s for s, _, _ in levels}) < 2:
        with pytest.raises(ValueError, match="two different scores"):
            cochran_armitage(levels)
        return
    got = cochran_armitage(levels)
    assert got.p_exact == pytest.approx(_brute_force_p(levels), rel=1e-9)
    assert 0.0 < got.p_exact <= 1.0 and 0.0 < got.p_asymptotic <= 1.0


def test_the_exact_test_is_skipped_when_it_would_take_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    thirds = cochran_armitage([(1 / 3, 1, 5), (2 / 3, 3, 5)])  # not a decimal of few places
    assert (thirds.p_exact, thirds.test, thirds.p_value) == (None, "asymptotic", thirds.p_asymptotic)
    levels = [(1.0, 10, 40), (2.0, 20, 40), (3.0, 30, 40)]
    assert cochran_armitage(levels).test == "exact"
    monkeypatch.setattr(trend_module, "EXACT_WORK", 100)
    assert cochran_armitage(levels).p_exact is None
    assert cochran_armitage(levels, exact=False).p_exact is None


def test_without_variation_there_is_no_trend() -> None:
    for k in (0, 1):
        got = cochran_armitage([(1.0, 0 * k, 0), (1.0, 5 * k, 5), (2.0, 6 * k, 6)])
        assert (got.z, got.p_asymptotic, got.p_exact, got.slope.estimate) == (0.0, 1.0, 1.0, 0.0)
        assert (got.slope.low, got.slope.high) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([(1.0, 2, 5), (1.0, 3, 5)], "two different scores"),
        ([(1.0, 2, 5), (2.0, 0, 0)], "two different scores"),
        ([(1.0, 6, 5), (2.0, 1, 5)], "0 <= k <= n"),
        ([(math.nan, 1, 5), (2.0, 1, 5)], "finite score"),
    ],
)
def test_cochran_armitage_rejects_what_it_cannot_test(levels: list[tuple[float, int, int]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cochran_armitage(levels)


def test_order_scores_ranks_and_refuses_repeats() -> None:
    assert order_scores(["a", "b"]) == {"a": 1.0, "b": 2.0}
    with pytest.raises(ValueError, match=r"\['a'\] more than once"):
        order_scores(["a", "b", "a"])


# --- trends over runs ------------------------------------------------------------------------


def _run(rid: str, model: str, count: int, type_: str = "lie", world: str = "w") -> RunOutcome:
    return RunOutcome(
        run_id=rid,
        world_id=world,
        seed=int(rid.rsplit("-", 1)[1]),
        ablated=(),
        models={"a": model, "b": "buyer-model"},
        personas={"a": "rep", "b": "buyer"},
        key={"deceiver_model": model, "deceiver_skin": "rep", "target_role": "b", "type": type_},
        count=count,
    )


def _ladder(hits: dict[str, int], runs: int = 12, type_: str = "lie", world: str = "w") -> list[RunOutcome]:
    """``runs`` runs per model; the first ``hits[model]`` of them have findings (2 each, to count runs)."""
    return [
        _run(f"{world}-{type_}-{m}-{i}", m, 2 if i < k else 0, type_, world)
        for m, k in hits.items()
        for i in range(runs)
    ]


LADDER = order_scores(["small", "medium", "large"])


def test_a_planted_increasing_rate_is_found() -> None:
    (row,) = trend(_ladder({"small": 1, "medium": 5, "large": 10}), by="model", order=LADDER)
    assert [(lv.level, lv.score, lv.k_runs, lv.n_runs) for lv in row.levels] == [
        ("small", 1.0, 1, 12),
        ("medium", 2.0, 5, 12),
        ("large", 3.0, 10, 12),
    ]
    assert row.levels[0].rate == wilson_interval(1, 12) and row.levels[2].mean_count == pytest.approx(20 / 12)
    assert row.z > 0 and row.p_value < 0.001 and row.slope.low > 0
    assert row == row.model_copy(update=dict(cochran_armitage([(1, 1, 12), (2, 5, 12), (3, 10, 12)])))
    assert (row.comparison, row.pooled, row.p_holm, row.p_bh) == ("model", [], row.p_value, row.p_value)
    assert row.stratum == {
        "world": "w",
        "variant": "default",
        "ablation": "(none)",
        "models": "b=buyer-model",
        "deceiver_skin": "rep",
        "target_role": "b",
        "type": "lie",
    }


def test_a_flat_rate_is_not_found_and_a_falling_one_is_negative() -> None:
    (flat,) = trend(_ladder({"small": 5, "medium": 6, "large": 5}), by="model", order=LADDER)
    assert flat.p_value > 0.5 and flat.slope.low < 0 < flat.slope.high
    (falling,) = trend(_ladder({"small": 11, "medium": 6, "large": 1}), by="model", order=LADDER)
    assert falling.z < 0 and falling.p_value < 0.001 and falling.slope.high < 0


def test_every_level_needs_a_score() -> None:
    with pytest.raises(ValueError) as err:
        trend(_ladder({"small": 1, "huge": 2, "tiny": 0}), by="model", order=LADDER)
    assert "level(s) ['huge', 'tiny']" in str(err.value)
    assert "given for ['large', 'medium', 'small']" in str(err.value)
    # scored levels not in the runs are fine; so are scores that are not ranks
    (row,) = trend(_ladder({"small": 1, "large": 2}), by="model", order={"small": 0.5, "large": 7.5, "x": 9})
    assert [lv.score for lv in row.levels] == [0.5, 7.5]


def test_strata_with_fewer_than_two_scores_have_no_row_and_do_not_count_in_the_family() -> None:
    runs = [
        *_ladder({"small": 0, "medium": 6, "large": 11}, type_="lie"),
        *_ladder({"small": 2, "medium": 4, "large": 5}, type_="denial"),
        *_ladder({"large": 3}, type_="omission"),  # one level only
        *_ladder({"small": 1, "medium": 2}, world="v"),  # another world: its own stratum
    ]
    rows = trend(runs, by="model", order=LADDER)
    assert [(r.stratum["world"], r.stratum["type"], len(r.levels)) for r in rows] == [
        ("v", "lie", 2),
        ("w", "denial", 3),
        ("w", "lie", 3),
    ]
    ps = [r.p_value for r in rows]
    assert [r.p_holm for r in rows] == holm(ps) and [r.p_bh for r in rows] == benjamini_hochberg(ps)
    assert rows[2].p_holm < 0.01 < rows[1].p_holm


def test_pooling_a_run_factor_merges_its_strata() -> None:
    runs = [*_ladder({"small": 1, "large": 5}, world="w"), *_ladder({"small": 2, "large": 6}, world="v")]
    assert len(trend(runs, by="model", order=LADDER)) == 2
    (row,) = trend(runs, by="model", order=LADDER, pool=["world"])
    assert row.pooled == ["world"] and "world" not in row.stratum
    assert [(lv.k_runs, lv.n_runs) for lv in row.levels] == [(3, 24), (11, 24)]
    with pytest.raises(ValueError, match="cannot order by model and pool it"):
        trend(runs, by="model", order=LADDER, pool=["model"])
    with pytest.raises(ValueError, match="keying the outcomes without it"):
        trend(runs, by="world", order={"w": 1, "v": 2}, pool=["skin"])


def test_a_run_factor_can_be_ordered_too() -> None:
    # the same key across two worlds ordered by, say, how much pressure each puts on
    runs = [*_ladder({"m": 2}, world="calm"), *_ladder({"m": 9}, world="tense")]
    (row,) = trend(runs, by="world", order={"calm": 0, "tense": 1})
    assert [lv.level for lv in row.levels] == ["calm", "tense"] and row.z > 0
    assert row.stratum["deceiver_model"] == "m"


def test_models_are_ordered_within_one_skin() -> None:
    runs = [
        o.model_copy(update={"key": {"deceiver_model": o.key["deceiver_model"], "type": "lie"}})
        for o in _ladder({"small": 1})
    ]
    with pytest.raises(ValueError, match=r"comparison_fields\('model'\)"):
        trend(runs, by="model", order=LADDER)
    with pytest.raises(ValueError, match="unknown factor"):
        trend(runs, by="size", order=LADDER)


def test_a_model_that_never_had_the_finding_is_a_level_with_zero_runs() -> None:
    on_m2 = {**ROLES, "a": ROLES["a"].model_copy(update={"base_model": "m2"})}
    runs = [(_t(f"p{i}", seed=i), [_f(f"p{i}", "a", ["b"], 0)] if i < 3 else []) for i in range(4)]
    runs += [(_t(f"q{i}", seed=i, roles=on_m2), []) for i in range(4)]
    outcomes = run_outcomes(runs, by=comparison_fields("model"))
    (row,) = [r for r in trend(outcomes, by="model", order={"m2": 1, "m1": 2}) if r.stratum["target_role"] == "b"]
    assert [(lv.level, lv.k_runs, lv.n_runs) for lv in row.levels] == [("m2", 0, 4), ("m1", 3, 4)]
    (pair,) = [r for r in compare(outcomes, by="model") if r.stratum["target_role"] == "b"]
    assert (pair.condition_a, pair.k_a, pair.n_a, pair.condition_b, pair.k_b, pair.n_b) == ("m1", 3, 4, "m2", 0, 4)
