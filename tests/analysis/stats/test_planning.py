"""How many seeds: the sample-size formulas against statsmodels and hand-computed values, the exact
power against brute-force enumeration with scipy's and statsmodels' tests and against simulation with
the tool's own tests, and the seeds that halve an interval against intervals computed on whole runs."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from types import ModuleType

import pytest
from doctests import assert_examples_pass, functions_without_example
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom
from scipy.stats import fisher_exact as scipy_fisher
from statsmodels.stats.contingency_tables import mcnemar as statsmodels_mcnemar
from statsmodels.stats.power import normal_sample_size_one_tail
from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail

import skins.analysis.stats.planning
import skins.analysis.stats.power
from skins.analysis.stats import (
    connor_sample_size,
    contrast,
    discordant_probabilities,
    fisher_exact,
    fisher_power,
    fleiss_sample_size,
    mcnemar_exact,
    mcnemar_power,
    newcombe_interval,
    newcombe_paired_interval,
    plan_seeds,
    seeds_to_halve,
)
from skins.analysis.stats.intervals import Contrast, z_value
from skins.analysis.stats.planning import SeedPlan, _half_width

RATES = [(0.05, 0.1), (0.1, 0.2), (0.2, 0.5), (0.3, 0.4), (0.5, 0.9), (0.7, 0.5), (0.0, 0.3), (0.9, 1.0)]


# --- sample-size formulas -----------------------------------------------------------


@pytest.mark.parametrize("power", [0.8, 0.9])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
@pytest.mark.parametrize(("rate_a", "rate_b"), RATES)
def test_fleiss_without_correction_is_statsmodels_two_proportion_sample_size(
    rate_a: float, rate_b: float, power: float, alpha: float
) -> None:
    """statsmodels' normal-theory size (pooled null variance, unpooled alternative) is Fleiss's n'."""
    expected = samplesize_proportions_2indep_onetail(rate_b - rate_a, rate_a, power, alpha=alpha)
    assert fleiss_sample_size(rate_a, rate_b, power=power, alpha=alpha, continuity=False) == math.ceil(expected)


@pytest.mark.parametrize(("rate_a", "rate_b"), RATES)
def test_fleiss_continuity_correction_is_fleiss_tytun_ury_on_statsmodels_n(rate_a: float, rate_b: float) -> None:
    n = samplesize_proportions_2indep_onetail(rate_b - rate_a, rate_a, 0.8, alpha=0.05)
    d = abs(rate_b - rate_a)
    assert fleiss_sample_size(rate_a, rate_b) == math.ceil(n / 4 * (1 + math.sqrt(1 + 4 / (n * d))) ** 2)


@pytest.mark.parametrize(
    ("rate_a", "rate_b", "uncorrected", "corrected"),
    # By hand (z = 1.959964, 0.841621): n' = (z·√(2p̄q̄) + z_β·√(p1q1 + p2q2))²/d², then n'/4·(1 + √(1 + 4/(n'd)))².
    [(0.1, 0.2, 199, 219), (0.05, 0.1, 435, 474), (0.2, 0.5, 39, 45), (0.4, 0.5, 388, 408)],
    ids=["0.1-0.2", "0.05-0.1", "0.2-0.5", "0.4-0.5"],
)
def test_fleiss_hand_computed_values(rate_a: float, rate_b: float, uncorrected: int, corrected: int) -> None:
    assert fleiss_sample_size(rate_a, rate_b, continuity=False) == uncorrected
    assert fleiss_sample_size(rate_a, rate_b) == corrected
    assert fleiss_sample_size(rate_b, rate_a) == corrected  # symmetric in the two arms


@pytest.mark.parametrize(("only_a", "only_b"), [(0.05, 0.45), (0.1, 0.2), (0.25, 0.05), (0.0, 0.1), (0.3, 0.45)])
@pytest.mark.parametrize("power", [0.8, 0.9])
def test_connor_is_the_normal_size_of_the_mean_pair_difference(only_a: float, only_b: float, power: float) -> None:
    """A pair's difference has mean δ = only_b − only_a, variance ψ under the null and ψ − δ² under the
    alternative: statsmodels' one-tail normal size with those gives Connor's formula."""
    psi, delta = only_a + only_b, only_b - only_a
    expected = normal_sample_size_one_tail(
        delta, power, 0.025, std_null=math.sqrt(psi), std_alternative=math.sqrt(psi - delta**2)
    )
    assert connor_sample_size(only_a, only_b, power=power) == math.ceil(expected)


def test_connor_published_example() -> None:
    """Connor (1987), p. 209: discordant probabilities 0.05 and 0.45, two-sided 5%, power 80%: 23 pairs."""
    assert connor_sample_size(0.05, 0.45) == connor_sample_size(0.45, 0.05) == 23


@pytest.mark.parametrize("correlation", [-0.2, 0.0, 0.3, 0.4])
@pytest.mark.parametrize(("rate", "difference"), [(0.1, 0.2), (0.3, 0.2), (0.5, 0.1), (0.6, 0.3)])
def test_discordant_probabilities_keep_the_margins_and_the_correlation(
    rate: float, difference: float, correlation: float
) -> None:
    only_a, only_b = discordant_probabilities(rate, difference, correlation=correlation)
    both = rate - only_a
    neither = 1 - both - only_a - only_b
    rate_b = rate + difference
    assert min(both, only_a, only_b, neither) >= 0
    assert both + only_b == pytest.approx(rate_b)
    phi = (both * neither - only_a * only_b) / math.sqrt(rate * (1 - rate) * rate_b * (1 - rate_b))
    assert phi == pytest.approx(correlation)
    again = discordant_probabilities(rate, difference, discordance=only_a + only_b)
    assert again == pytest.approx((only_a, only_b))


# --- exact power against brute force -----------------------------------------------


def _brute_fisher_power(n: int, rate_a: float, rate_b: float, alpha: float) -> float:
    """Every table of two arms, tested by scipy's Fisher test (a different implementation)."""
    return sum(
        binom.pmf(ka, n, rate_a) * binom.pmf(kb, n, rate_b)
        for ka in range(n + 1)
        for kb in range(n + 1)
        if scipy_fisher([[kb, n - kb], [ka, n - ka]]).pvalue <= alpha
    )


def _brute_mcnemar_power(n: int, only_a: float, only_b: float, alpha: float) -> float:
    """Every trinomial outcome of n pairs, tested by statsmodels' exact McNemar test."""
    total = 0.0
    for a in range(n + 1):
        for b in range(n + 1 - a):
            if a + b and statsmodels_mcnemar([[0, a], [b, 0]], exact=True).pvalue <= alpha:
                ways = math.factorial(n) // (math.factorial(a) * math.factorial(b) * math.factorial(n - a - b))
                total += ways * only_a**a * only_b**b * (1 - only_a - only_b) ** (n - a - b)
    return total


@pytest.mark.parametrize(
    ("n", "rate_a", "rate_b", "alpha"),
    [(12, 0.2, 0.6, 0.05), (9, 0.5, 0.5, 0.05), (15, 0.1, 0.4, 0.05), (10, 0.3, 0.9, 0.01), (8, 0.4, 0.6, 0.2)],
)
def test_fisher_power_is_the_brute_force_power_of_scipys_fisher_test(
    n: int, rate_a: float, rate_b: float, alpha: float
) -> None:
    assert fisher_power(n, rate_a, rate_b, alpha) == pytest.approx(
        _brute_fisher_power(n, rate_a, rate_b, alpha), abs=1e-12
    )


@pytest.mark.parametrize(
    ("n", "only_a", "only_b", "alpha"),
    [(12, 0.05, 0.45, 0.05), (15, 0.2, 0.2, 0.05), (10, 0.0, 0.3, 0.05), (14, 0.1, 0.3, 0.1), (9, 0.3, 0.6, 0.01)],
)
def test_mcnemar_power_is_the_brute_force_power_of_statsmodels_exact_mcnemar(
    n: int, only_a: float, only_b: float, alpha: float
) -> None:
    expected = _brute_mcnemar_power(n, only_a, only_b, alpha)
    assert mcnemar_power(n, only_a, only_b, alpha) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("n", [1, 2, 7, 20])
def test_exact_power_rejects_exactly_the_outcomes_the_tools_tests_reject(n: int) -> None:
    """At rates where every table has weight, power is the sum over the tables the tool's own
    fisher_exact / mcnemar_exact call significant: any table decided differently would show."""
    by_fisher = sum(
        binom.pmf(ka, n, 0.3) * binom.pmf(kb, n, 0.6)
        for ka in range(n + 1)
        for kb in range(n + 1)
        if fisher_exact([[kb, n - kb], [ka, n - ka]]) <= 0.05
    )
    assert fisher_power(n, 0.3, 0.6) == pytest.approx(by_fisher, abs=1e-13)
    by_mcnemar = sum(
        math.comb(n, d) * 0.4**d * 0.6 ** (n - d) * binom.pmf(b, d, 0.75)
        for d in range(n + 1)
        for b in range(d + 1)
        if mcnemar_exact(b, d - b) <= 0.05
    )
    assert mcnemar_power(n, 0.1, 0.3) == pytest.approx(by_mcnemar, abs=1e-13)


def test_power_at_no_difference_is_at_most_alpha() -> None:
    """Exact tests keep their level: with equal rates the rejection share is the size, never above alpha."""
    for n in (10, 40, 90):
        assert 0 < fisher_power(n, 0.3, 0.3) <= 0.05
        assert 0 < mcnemar_power(n, 0.2, 0.2) <= 0.05


# --- plans, and simulation ----------------------------------------------------------


Trial = Callable[[int, random.Random], bool]
"""One simulated experiment of n runs (pairs) per arm: whether the tool's exact test rejects."""


def _simulated_rejections(n: int, rng: random.Random, experiments: int, trial: Trial) -> float:
    return sum(trial(n, rng) for _ in range(experiments)) / experiments


def _exact_power(plan: SeedPlan, n: int) -> float:
    if plan.only_a is not None and plan.only_b is not None:
        return mcnemar_power(n, plan.only_a, plan.only_b, plan.alpha)
    return fisher_power(n, plan.rate_a, plan.rate_b, plan.alpha)


def test_fisher_rejects_in_the_planned_share_of_simulated_experiments() -> None:
    plan = plan_seeds(0.2, 0.3)
    assert plan.n_exact is not None and plan.power_at_exact is not None and plan.power_at_exact >= 0.8
    n, draw, runs = plan.n_exact, random.Random(7), 2000

    def trial(n: int, rng: random.Random) -> bool:
        ka, kb = (sum(rng.random() < rate for _ in range(n)) for rate in (0.2, 0.5))
        return fisher_exact([[kb, n - kb], [ka, n - ka]]) <= 0.05

    share = _simulated_rejections(n, draw, runs, trial)
    se = math.sqrt(plan.power_at_exact * (1 - plan.power_at_exact) / runs)
    assert abs(share - plan.power_at_exact) < 4 * se, (share, plan.power_at_exact)


def test_mcnemar_rejects_in_the_planned_share_of_simulated_experiments() -> None:
    plan = plan_seeds(0.3, 0.2, paired=True, correlation=0.4)
    assert plan.only_a is not None and plan.only_b is not None
    assert plan.n_exact is not None and plan.power_at_exact is not None and plan.power_at_exact >= 0.8
    only_a, only_b, runs = plan.only_a, plan.only_b, 2000

    def trial(n: int, rng: random.Random) -> bool:
        draws = [rng.random() for _ in range(n)]
        a, b = sum(u < only_a for u in draws), sum(only_a <= u < only_a + only_b for u in draws)
        return mcnemar_exact(b, a) <= 0.05

    share = _simulated_rejections(plan.n_exact, random.Random(11), runs, trial)
    se = math.sqrt(plan.power_at_exact * (1 - plan.power_at_exact) / runs)
    assert abs(share - plan.power_at_exact) < 4 * se, (share, plan.power_at_exact)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"paired": True, "correlation": 0.3}, {"paired": True, "discordance": 0.35}, {"power": 0.9, "alpha": 0.01}],
    ids=["unpaired", "correlation", "discordance", "power-0.9"],
)
def test_the_exact_n_is_the_first_from_the_formula_up_with_the_power(kwargs: dict[str, object]) -> None:
    plan = plan_seeds(0.3, 0.25, **kwargs)  # type: ignore[arg-type]  # keyword sets per case
    assert plan.n_exact is not None and plan.power_at_exact is not None and plan.power_at_formula is not None
    target = plan.power
    assert plan.power_at_exact >= target and plan.seeds == plan.n_exact >= plan.n_formula
    assert plan.power_at_exact == _exact_power(plan, plan.n_exact)
    assert all(_exact_power(plan, n) < target for n in range(plan.n_formula, plan.n_exact))


def test_paired_plans_step_up_from_connor_because_exact_mcnemar_is_conservative() -> None:
    plan = plan_seeds(0.2, 0.3, paired=True, correlation=0.3)
    assert (plan.n_formula, plan.n_exact, plan.test, plan.formula.startswith("Connor")) == (31, 33, "mcnemar", True)
    assert plan.power_at_formula is not None and plan.power_at_formula < 0.8


def test_above_the_enumeration_cap_the_formula_stands_or_the_answer_is_a_lower_bound() -> None:
    beyond = plan_seeds(0.4, 0.1, max_exact=100)
    assert (beyond.n_formula, beyond.power_at_formula, beyond.n_exact, beyond.seeds) == (408, None, None, 408)
    short = plan_seeds(0.2, 0.3, paired=True, correlation=0.3, max_exact=32)  # the exact test needs 33
    assert (short.n_formula, short.n_exact, short.seeds) == (31, None, 33)
    assert short.power_at_formula is not None and short.power_at_exact is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plan_seeds(0.2, 0.0), "difference to detect must be positive"),
        (lambda: plan_seeds(0.2, -0.1), "difference to detect must be positive"),
        (lambda: plan_seeds(-0.1, 0.2), "the base rate is -0.1"),
        (lambda: plan_seeds(0.9, 0.2), "the difference can be at most 0.1"),
        (lambda: plan_seeds(0.2, 0.2, power=1.0), "power must lie strictly between"),
        (lambda: plan_seeds(0.2, 0.2, alpha=0.0), "alpha must be strictly between 0 and 1"),
        (lambda: plan_seeds(0.2, 0.2, paired=True), "give either the discordance"),
        (lambda: plan_seeds(0.2, 0.2, paired=True, discordance=0.3, correlation=0.1), "give either the discordance"),
        (lambda: plan_seeds(0.2, 0.2, discordance=0.3), "plan with paired=True"),
        (lambda: plan_seeds(0.3, 0.2, paired=True, discordance=0.1), "must lie within [0.2, 0.8]"),
        (lambda: plan_seeds(0.3, 0.2, paired=True, correlation=0.9), "must lie within [-0.655, 0.655]"),
        (lambda: fleiss_sample_size(0.3, 0.3), "no difference to detect"),
        (lambda: connor_sample_size(0.2, 0.2), "two different discordant probabilities"),
        (lambda: fisher_power(0, 0.1, 0.2), "at least one run"),
        (lambda: mcnemar_power(5, 0.6, 0.6), "discordance must be a probability"),
    ],
)
def test_bad_designs_are_refused_with_the_fix(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        call()
    assert message in str(raised.value)


# --- seeds that halve an interval -----------------------------------------------------


def _runs(k: int, n: int) -> list[int]:
    return [1] * k + [0] * (n - k)


def _pairs(cells: tuple[int, int, int, int], times: int = 1) -> tuple[list[int], list[int]]:
    """Arms a and b whose pairs are (both, only b, only a, neither) times ``times``."""
    both, only_b, only_a, neither = (c * times for c in cells)
    a = [1] * both + [0] * only_b + [1] * only_a + [0] * neither
    b = [1] * both + [1] * only_b + [0] * only_a + [0] * neither
    return a, b


def _half(row: Contrast) -> float:
    return (row.difference.high - row.difference.low) / 2


@pytest.mark.parametrize(("ka", "kb", "n"), [(5, 10, 20), (2, 9, 12), (30, 45, 60), (1, 19, 20)])
def test_halving_bracketed_by_intervals_of_whole_runs(ka: int, kb: int, n: int) -> None:
    """Whole-run multiples of the observed rates (no fractional counts) bracket the answer: below it the
    tool's own interval is wider than half, at or above it no wider."""
    row = contrast(_runs(ka, n), _runs(kb, n))
    m = seeds_to_halve(row)
    target = _half(row) / 2
    for times in range(2, 12):
        wider = _half(contrast(_runs(ka * times, n * times), _runs(kb * times, n * times))) > target
        assert wider == (n * times < m), (times, m)


def test_halving_a_paired_interval_uses_the_pairs() -> None:
    cells = (59, 6, 16, 80)  # Newcombe (1998b)'s example, a being the second of his pair
    row = contrast(*_pairs(cells), paired=True)
    assert row.cells == cells
    m = seeds_to_halve(row)
    target = _half(row) / 2
    for times in range(2, 7):
        assert (_half(contrast(*_pairs(cells, times), paired=True)) > target) == (161 * times < m), times
    unpaired = row.model_copy(update={"cells": None})  # a row stored before cells were recorded
    assert seeds_to_halve(unpaired) == seeds_to_halve(contrast(*_pairs(cells))) != m


@pytest.mark.parametrize(
    ("a", "b", "paired"),
    [(_runs(5, 20), _runs(10, 20), False), (_runs(3, 7), _runs(6, 13), False), (*_pairs((59, 6, 16, 80)), True)],
    ids=["5/20-10/20", "3/7-6/13", "newcombe-paired"],
)
def test_halving_is_the_first_m_whose_scaled_interval_is_half_as_wide(a: list[int], b: list[int], paired: bool) -> None:
    """The definition, through the public intervals: counts (cells) scaled to m runs (pairs) per arm."""
    row = contrast(a, b, paired=paired)
    m = seeds_to_halve(row)

    def half(m: int) -> float:
        if row.cells is not None:
            scaled = newcombe_paired_interval(*(c * m / row.n_pairs for c in row.cells))
        else:
            scaled = newcombe_interval(row.k_b * m / row.n_b, m, row.k_a * m / row.n_a, m)
        return (scaled.high - scaled.low) / 2

    assert half(m) <= _half(row) / 2 < half(m - 1)


@pytest.mark.parametrize("n", [10, 20, 50])
def test_at_rates_of_0_or_1_halving_takes_2n_plus_z_squared(n: int) -> None:
    """Both arms at 0 (or 1, or one at each): the half-width is z²/(n + z²) shrinking like 1/n."""
    z2 = z_value(0.95) ** 2
    expected = math.ceil(2 * n + z2)
    assert seeds_to_halve(contrast([0] * n, [0] * n)) == expected
    assert seeds_to_halve(contrast([1] * n, [1] * n)) == expected
    assert seeds_to_halve(contrast([0] * n, [1] * n)) == expected


def test_a_bootstrap_row_is_planned_with_the_newcombe_interval() -> None:
    a, b = _runs(4, 20), _runs(11, 20)
    assert seeds_to_halve(contrast(a, b, interval="bootstrap")) == seeds_to_halve(contrast(a, b))
    pa, pb = _pairs((5, 8, 2, 10))
    paired = contrast(pa, pb, paired=True)
    assert seeds_to_halve(contrast(pa, pb, paired=True, interval="bootstrap")) == seeds_to_halve(paired)


def test_a_row_stored_as_json_keeps_its_cells_and_old_rows_load_without() -> None:
    row = contrast(*_pairs((3, 5, 1, 6)), paired=True)
    assert type(row).model_validate_json(row.model_dump_json()).cells == (3, 5, 1, 6)
    old = row.model_dump(mode="json")
    del old["cells"]
    assert type(row).model_validate(old).cells is None


@settings(max_examples=60, deadline=None)
@given(
    cells=st.tuples(*[st.integers(0, 30)] * 4).filter(lambda c: sum(c) > 0),
    paired=st.booleans(),
)
def test_half_width_never_grows_with_more_runs(cells: tuple[int, int, int, int], paired: bool) -> None:
    """What the binary search in seeds_to_halve relies on, and so its answer equals a linear scan."""
    row = contrast(*_pairs(cells), paired=paired)
    widths = [_half_width(row, m, m, 0.95) for m in range(1, 6 * row.n_a + 50)]
    assert all(later <= earlier + 1e-12 for earlier, later in itertools.pairwise(widths))
    target = _half_width(row, row.n_a, row.n_b, 0.95) / 2
    assert seeds_to_halve(row) == next(m for m, w in enumerate(widths, 1) if w <= target)


MODULES = [skins.analysis.stats.planning, skins.analysis.stats.power]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_examples_pass(module: ModuleType) -> None:
    assert_examples_pass(module)


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_every_public_function_has_an_example(module: ModuleType) -> None:
    assert functions_without_example(module) == []
