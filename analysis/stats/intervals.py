"""Interval estimates, effect sizes and exact tests for rates over runs, in pure Python.

Everything here is a plain function of counts or values: no numpy, no scipy.
Exact tests use integer arithmetic (``math.comb``), so equal-probability
tables are compared exactly rather than within a float tolerance. Bootstraps
draw from ``random.Random(seed)`` only, so the same input and seed give the
same interval on every machine.

References: Wilson (1927); Newcombe, *Stat Med* 17:873-890 (1998), method 10
(unpaired) and 17:2635-2650 (1998), method 10 (paired); Fisher's exact test;
the exact (binomial) McNemar test; Cohen's h (Cohen 1988).
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_RESAMPLES",
    "Contrast",
    "Interval",
    "bootstrap_diff_interval",
    "bootstrap_mean_interval",
    "cohens_h",
    "contrast",
    "fisher_exact",
    "mcnemar_exact",
    "newcombe_interval",
    "newcombe_paired_interval",
    "risk_ratio",
    "wilson_interval",
    "z_value",
]

import math
import random
from collections.abc import Sequence
from statistics import NormalDist, fmean
from typing import Literal

from pydantic import BaseModel, ConfigDict

DEFAULT_RESAMPLES = 2000
"""Bootstrap resamples unless told otherwise."""
DifferenceMethod = Literal["newcombe", "newcombe_paired", "bootstrap", "paired_bootstrap"]


class Interval(BaseModel):
    """A point estimate with the bounds of its confidence interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    estimate: float
    low: float
    high: float

    def excludes(self, value: float = 0.0) -> bool:
        """Whether ``value`` lies outside ``[low, high]``."""
        return value < self.low or value > self.high

    def render(self) -> str:
        """The estimate and its bounds as tables show them.

        >>> Interval(estimate=0.8, low=0.376, high=0.964).render()
        '0.80 [0.38, 0.96]'
        """
        return f"{self.estimate:.2f} [{self.low:.2f}, {self.high:.2f}]"


def z_value(confidence: float = 0.95) -> float:
    """The two-sided standard-normal quantile: 1.959964 for 95%.

    >>> round(z_value(0.95), 6)
    1.959964
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1 (e.g. 0.95), got {confidence}")
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _check_counts(k: float, n: float) -> None:
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")


def wilson_interval(k: float, n: float, confidence: float = 0.95) -> Interval:
    """Wilson score interval for the proportion ``k / n`` (no continuity correction).

    With ``n == 0`` nothing is known: the estimate is 0 and the interval [0, 1]. Counts may be
    fractional (expected counts, as :mod:`.planning` uses), here and in the Newcombe intervals.

    >>> i = wilson_interval(5, 10)
    >>> round(i.estimate, 4), round(i.low, 4), round(i.high, 4)
    (0.5, 0.2366, 0.7634)
    >>> wilson_interval(0, 10).low, round(wilson_interval(0, 10).high, 4)
    (0.0, 0.2775)
    """
    _check_counts(k, n)
    z = z_value(confidence)
    if n == 0:
        return Interval(estimate=0.0, low=0.0, high=1.0)
    p = k / n
    scale = 1.0 + z * z / n
    center = (p + z * z / (2 * n)) / scale
    half = z / scale * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if k == 0 else max(0.0, center - half)
    high = 1.0 if k == n else min(1.0, center + half)
    return Interval(estimate=p, low=low, high=high)


def newcombe_interval(k1: float, n1: float, k2: float, n2: float, confidence: float = 0.95) -> Interval:
    """Newcombe's hybrid score interval for ``k1/n1 - k2/n2`` (independent samples; 1998, method 10).

    Combines the two Wilson intervals by "square and add".

    >>> i = newcombe_interval(56, 70, 48, 80)
    >>> round(i.estimate, 4), round(i.low, 4), round(i.high, 4)
    (0.2, 0.0524, 0.3339)
    """
    if n1 == 0 or n2 == 0:
        raise ValueError(f"both samples need at least one run, got n1={n1}, n2={n2}")
    w1, w2 = wilson_interval(k1, n1, confidence), wilson_interval(k2, n2, confidence)
    p1, p2 = w1.estimate, w2.estimate
    d = p1 - p2
    low = d - math.hypot(p1 - w1.low, w2.high - p2)
    high = d + math.hypot(w1.high - p1, p2 - w2.low)
    return Interval(estimate=d, low=max(-1.0, low), high=min(1.0, high))


def newcombe_paired_interval(
    both: float, only1: float, only2: float, neither: float, confidence: float = 0.95
) -> Interval:
    """Newcombe's square-and-add interval for ``p1 - p2`` of paired proportions (1998b, method 10).

    The cells count pairs: ``both`` positive, only the first, only the second,
    ``neither``. ``p1 = (both + only1) / n`` and ``p2 = (both + only2) / n``;
    the Wilson intervals are combined with the continuity-corrected
    correlation ``phi`` of the pairs.

    >>> i = newcombe_paired_interval(59, 6, 16, 80)
    >>> round(i.estimate, 4), round(i.low, 4), round(i.high, 4)
    (-0.0621, -0.1186, -0.0046)
    """
    n = both + only1 + only2 + neither
    if min(both, only1, only2, neither) < 0 or n == 0:
        raise ValueError(f"need non-negative cells and at least one pair, got {(both, only1, only2, neither)}")
    w1 = wilson_interval(both + only1, n, confidence)
    w2 = wilson_interval(both + only2, n, confidence)
    p1, p2 = w1.estimate, w2.estimate
    phi = _paired_phi(both, only1, only2, neither)
    dl1, du1, dl2, du2 = p1 - w1.low, w1.high - p1, p2 - w2.low, w2.high - p2
    d = p1 - p2
    low = d - math.sqrt(max(0.0, dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2))
    high = d + math.sqrt(max(0.0, du1 * du1 - 2 * phi * du1 * dl2 + dl2 * dl2))
    return Interval(estimate=d, low=max(-1.0, low), high=min(1.0, high))


def _paired_phi(a: float, b: float, c: float, d: float) -> float:
    """Correlation of the pair members, shrunk toward 0 by n/2 when positive (Newcombe 1998b)."""
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    if margins == 0:
        return 0.0
    cross = a * d - b * c
    n = a + b + c + d
    if cross > n / 2:
        return (cross - n / 2) / math.sqrt(margins)
    return cross / math.sqrt(margins) if cross < 0 else 0.0


def fisher_exact(table: Sequence[Sequence[int]]) -> float:
    """Two-sided p-value of Fisher's exact test on a 2x2 table ``[[a, b], [c, d]]``.

    Sums the hypergeometric probabilities of every table with the same margins
    that is no more likely than the observed one (compared exactly, as integers).

    >>> round(fisher_exact([[3, 1], [1, 3]]), 4)
    0.4857
    """
    (a, b), (c, d) = table
    if min(a, b, c, d) < 0:
        raise ValueError(f"a 2x2 table of counts cannot hold negative cells, got {table}")
    row1, row2, col1 = a + b, c + d, a + c
    total = math.comb(row1 + row2, col1)
    weights = [math.comb(row1, x) * math.comb(row2, col1 - x) for x in range(max(0, col1 - row2), min(row1, col1) + 1)]
    observed = math.comb(row1, a) * math.comb(row2, c)
    return min(1.0, sum(w for w in weights if w <= observed) / total)


def mcnemar_exact(only1: int, only2: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pair counts (a binomial sign test).

    ``1.0`` when no pair is discordant.

    >>> mcnemar_exact(1, 9)
    0.021484375
    """
    if only1 < 0 or only2 < 0:
        raise ValueError(f"discordant counts cannot be negative, got {only1}, {only2}")
    n = only1 + only2
    tail = sum(math.comb(n, i) for i in range(min(only1, only2) + 1))
    return min(1.0, 2 * tail / (1 << n))


def risk_ratio(p1: float, p2: float) -> float | None:
    """``p1 / p2``; None when ``p2`` is 0 (undefined).

    >>> risk_ratio(0.5, 0.25), risk_ratio(0.5, 0.0)
    (2.0, None)
    """
    return None if p2 == 0 else p1 / p2


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h = 2·asin(√p1) − 2·asin(√p2): 0.2 small, 0.5 medium, 0.8 large.

    >>> round(cohens_h(1.0, 0.0), 4)
    3.1416
    """
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default, Hyndman-Fan type 7)."""
    h = (len(ordered) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def _percentile(stats: list[float], estimate: float, confidence: float) -> Interval:
    stats.sort()
    alpha = 1.0 - confidence
    return Interval(estimate=estimate, low=_quantile(stats, alpha / 2), high=_quantile(stats, 1 - alpha / 2))


def _check_bootstrap(confidence: float, resamples: int) -> None:
    z_value(confidence)
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1 (the default is {DEFAULT_RESAMPLES}), got {resamples}")


def bootstrap_mean_interval(
    values: Sequence[float], confidence: float = 0.95, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> Interval:
    """Percentile bootstrap interval for the mean of ``values`` (one value per run or per pair).

    For paired data pass the per-pair differences: that is the paired bootstrap.

    >>> i = bootstrap_mean_interval([1.0, 1.0, 1.0])
    >>> (i.estimate, i.low, i.high)
    (1.0, 1.0, 1.0)
    >>> i = bootstrap_mean_interval([0.0, 1.0] * 10, seed=1)
    >>> i.low < 0.5 < i.high
    True
    """
    _check_bootstrap(confidence, resamples)
    if not values:
        raise ValueError("cannot bootstrap the mean of no values: every condition needs at least one run")
    rng, n = random.Random(seed), len(values)
    stats = [fmean(rng.choices(values, k=n)) for _ in range(resamples)]
    return _percentile(stats, fmean(values), confidence)


def bootstrap_diff_interval(
    x: Sequence[float],
    y: Sequence[float],
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval for ``mean(x) - mean(y)``, resampling each sample independently.

    >>> i = bootstrap_diff_interval([1.0, 1.0], [0.0, 0.0])
    >>> (i.estimate, i.low, i.high)
    (1.0, 1.0, 1.0)
    """
    _check_bootstrap(confidence, resamples)
    if not x or not y:
        raise ValueError(f"both samples need at least one value, got {len(x)} and {len(y)}")
    rng = random.Random(seed)
    stats = [fmean(rng.choices(x, k=len(x))) - fmean(rng.choices(y, k=len(y))) for _ in range(resamples)]
    return _percentile(stats, fmean(x) - fmean(y), confidence)


class Contrast(BaseModel):
    """Sample a against sample b: rates of positive counts, their difference (b − a), effect sizes, a p-value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n_a: int
    n_b: int
    """Runs per sample (pairs, when paired)."""
    k_a: int
    k_b: int
    """Runs with a positive count."""
    rate_a: Interval
    rate_b: Interval
    """k / n with its Wilson interval."""
    mean_count_a: float
    mean_count_b: float
    difference: Interval
    """rate_b − rate_a (the risk difference) with its interval."""
    interval: DifferenceMethod
    """How ``difference`` was bounded."""
    test: Literal["fisher", "mcnemar"]
    p_value: float
    """Two-sided: Fisher's exact test (unpaired) or the exact McNemar test (paired)."""
    risk_ratio: float | None
    """rate_b / rate_a; None when rate_a is 0."""
    cohens_h: float
    """h(rate_b) − h(rate_a)."""
    paired: bool
    n_pairs: int
    """Pairs used (0 when unpaired)."""
    cells: tuple[int, int, int, int] | None = None
    """Paired: pairs with both positive, only b, only a, neither (None when unpaired, or stored before)."""


def contrast(
    a: Sequence[int],
    b: Sequence[int],
    *,
    paired: bool = False,
    interval: Literal["newcombe", "bootstrap"] = "newcombe",
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Contrast:
    """Compare the rate of positive counts in ``b`` with that in ``a`` (one count per run).

    Unpaired: Newcombe's hybrid score interval and Fisher's exact test. Paired
    (``a[i]`` and ``b[i]`` are one pair): Newcombe's paired interval and the
    exact McNemar test. ``interval="bootstrap"`` swaps in a percentile
    bootstrap over runs (unpaired) or pairs (paired); the test is unchanged.

    >>> c = contrast([0, 0, 1, 0], [2, 1, 1, 0], paired=True)
    >>> (c.k_a, c.k_b, c.difference.estimate, c.interval, c.test, c.p_value, c.mean_count_b)
    (1, 3, 0.5, 'newcombe_paired', 'mcnemar', 0.5, 1.0)
    >>> c.cells  # both, only b, only a, neither
    (1, 2, 0, 1)
    """
    if not a or not b or (paired and len(a) != len(b)):
        raise ValueError(f"need non-empty samples (of equal length when paired), got {len(a)} and {len(b)}")
    ka, kb = sum(x > 0 for x in a), sum(x > 0 for x in b)
    ra, rb = wilson_interval(ka, len(a), confidence), wilson_interval(kb, len(b), confidence)
    method, diff, test, p = (
        _paired_difference(a, b, interval, confidence, resamples, seed)
        if paired
        else _unpaired_difference(a, b, interval, confidence, resamples, seed)
    )
    return Contrast(
        n_a=len(a),
        n_b=len(b),
        k_a=ka,
        k_b=kb,
        rate_a=ra,
        rate_b=rb,
        mean_count_a=fmean(a),
        mean_count_b=fmean(b),
        difference=diff,
        interval=method,
        test=test,
        p_value=p,
        risk_ratio=risk_ratio(rb.estimate, ra.estimate),
        cohens_h=cohens_h(rb.estimate, ra.estimate),
        paired=paired,
        n_pairs=len(a) if paired else 0,
        cells=_pair_cells(a, b) if paired else None,
    )


_Difference = tuple[DifferenceMethod, Interval, Literal["fisher", "mcnemar"], float]


def _paired_difference(
    a: Sequence[int], b: Sequence[int], interval: str, confidence: float, resamples: int, seed: int
) -> _Difference:
    both, only_b, only_a, neither = _pair_cells(a, b)
    p = mcnemar_exact(only_b, only_a)
    if interval == "bootstrap":
        diffs = [float(y > 0) - float(x > 0) for x, y in zip(a, b, strict=True)]
        return "paired_bootstrap", bootstrap_mean_interval(diffs, confidence, resamples, seed), "mcnemar", p
    return "newcombe_paired", newcombe_paired_interval(both, only_b, only_a, neither, confidence), "mcnemar", p


def _pair_cells(a: Sequence[int], b: Sequence[int]) -> tuple[int, int, int, int]:
    """Pairs with both positive, only b positive, only a positive, neither (``a[i]`` pairs ``b[i]``)."""
    xs = [(y > 0, x > 0) for x, y in zip(a, b, strict=True)]
    both, only_b, only_a = xs.count((True, True)), xs.count((True, False)), xs.count((False, True))
    return both, only_b, only_a, len(xs) - both - only_b - only_a


def _unpaired_difference(
    a: Sequence[int], b: Sequence[int], interval: str, confidence: float, resamples: int, seed: int
) -> _Difference:
    ka, kb = sum(x > 0 for x in a), sum(x > 0 for x in b)
    p = fisher_exact([[kb, len(b) - kb], [ka, len(a) - ka]])
    if interval == "bootstrap":
        xs, ys = [float(x > 0) for x in b], [float(x > 0) for x in a]
        return "bootstrap", bootstrap_diff_interval(xs, ys, confidence, resamples, seed), "fisher", p
    return "newcombe", newcombe_interval(kb, len(b), ka, len(a), confidence), "fisher", p
