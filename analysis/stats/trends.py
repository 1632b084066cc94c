"""Trends along an ordered factor — a capability ladder of base models: does a deception type's rate
rise (or fall) with each level's score? The Cochran–Armitage test, the slope of the rate per unit of
score with its interval, per stratum, every other factor held fixed as in :func:`.comparisons.compare`.

The unit is the run (conventions: :mod:`.rates`). For levels with scores ``s_i``, runs ``n_i`` and runs
with a finding ``k_i`` (``N`` runs, ``K`` with a finding, ``p̄ = K/N``, ``s̄ = Σ n_i s_i / N``):

- the statistic ``T = Σ (s_i − s̄) k_i``; the slope of the runs' rates on score by least squares,
  weighted by runs, is ``b = T / S`` with ``S = Σ n_i (s_i − s̄)²``;
- the test: ``z = T / √(p̄(1 − p̄) S)``, the variance under H0 (every level at rate p̄) as Cochran (1954)
  and Armitage (1955) give it; ``z² = N r²`` (``r`` the Pearson correlation of score and outcome over
  runs). Agresti's ``M² = (N − 1) r²`` and statsmodels' ``test_ordinal_association`` use the exact
  conditional variance: their z is ours times ``√((N − 1)/N)``;
- the interval of the slope: Wald with the unpooled variance ``Σ (s_i − s̄)² n_i p_i (1 − p_i) / S²``.
  It collapses to a point when every level's rate is 0 or 1 (read the test there, not the interval);
- the exact conditional test: the distribution of ``T`` over every table with the same margins
  (runs per level, runs with a finding) by enumeration (``Π C(n_i, x_i) / C(N, K)``), two-sided as
  ``P(|T − E T| ≥ |t − E T|)``, in integers. It is computed when the enumeration is cheap (at most
  :data:`EXACT_WORK` additions: about 300 runs over six levels; small sweeps are where the normal
  approximation is weakest) and the scores are decimals of a few places; otherwise ``p_value`` is
  the asymptotic one, and ``test`` says which.

Levels are treated as independent samples of runs: two levels run on the same seeds are not paired.
"""

from __future__ import annotations

__all__ = ["EXACT_WORK", "TrendLevel", "TrendRow", "TrendTest", "cochran_armitage", "order_scores", "trend"]

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from statistics import fmean
from typing import Literal

from pydantic import BaseModel, ConfigDict

from skins.analysis.stats.factors import check_pool, factor_value, require_keyed, stratum
from skins.analysis.stats.intervals import Interval, wilson_interval, z_value
from skins.analysis.stats.multiplicity import benjamini_hochberg, holm
from skins.analysis.stats.outcomes import RunOutcome

EXACT_WORK = 2_000_000
"""Most additions the exact test may make (half a second or so); beyond, the asymptotic p only."""
_Group = tuple[tuple[str, str], ...]


class TrendTest(BaseModel):
    """The Cochran–Armitage test of a linear trend in rates over scores, with the slope per unit score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n_runs: int
    k_runs: int
    """Runs in all levels, and those with at least one finding."""
    z: float
    """Positive when the rate rises with the score."""
    p_asymptotic: float
    """Two-sided, from the normal approximation of ``z``."""
    p_exact: float | None
    """Two-sided conditional exact p-value; None when the enumeration would be too long."""
    p_value: float
    """The exact p-value when there is one, else the asymptotic one."""
    test: Literal["exact", "asymptotic"]
    """Which ``p_value`` is."""
    slope: Interval
    """Change in rate per unit of score (least squares, weighted by runs), with its Wald interval."""


class TrendLevel(BaseModel):
    """One level of the ordered factor within a stratum: its score and its rate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: str
    score: float
    n_runs: int
    k_runs: int
    rate: Interval
    """k / n with its Wilson interval."""
    mean_count: float
    """Findings per run."""


class TrendRow(TrendTest):
    """The trend of one stratum's rate along the ordered factor, levels sorted by score."""

    comparison: str
    """The factor ordered: usually ``model`` (the deceiver's base model)."""
    stratum: dict[str, str]
    """What is held fixed: the other run factors not pooled, and the outcome key."""
    pooled: list[str]
    levels: list[TrendLevel]
    p_holm: float
    """``p_value`` adjusted over the family (every row returned together) by Holm."""
    p_bh: float
    """``p_value`` adjusted over the family by Benjamini–Hochberg."""

    def render_levels(self) -> str:
        """Each level with its score and runs, as tables show them: ``s (1): 1/10 · l (2): 8/10``."""
        return " · ".join(f"{lv.level} ({lv.score:g}): {lv.k_runs}/{lv.n_runs}" for lv in self.levels)

    def render_slope(self) -> str:
        """The slope per unit of score with its interval, signed: ``+0.350 [+0.120, +0.580]``."""
        return f"{self.slope.estimate:+.3f} [{self.slope.low:+.3f}, {self.slope.high:+.3f}]"


def order_scores(levels: Sequence[str]) -> dict[str, float]:
    """Scores from an order, lowest first (``--order m1,m2,m3``): ranks 1, 2, 3.

    >>> order_scores(["small", "medium", "large"])
    {'small': 1.0, 'medium': 2.0, 'large': 3.0}
    """
    repeated = sorted({name for name in levels if levels.count(name) > 1})
    if repeated:
        raise ValueError(f"the order names {repeated} more than once; name each level once, lowest first")
    return {name: float(rank) for rank, name in enumerate(levels, start=1)}


def cochran_armitage(
    levels: Sequence[tuple[float, int, int]], confidence: float = 0.95, *, exact: bool = True
) -> TrendTest:
    """Test a linear trend in the rate over ``(score, k runs with a finding, n runs)`` levels.

    Needs runs at two distinct scores. With no finding in any run, or findings in every run, there
    is no variation: ``z = 0`` and p = 1. ``exact=False`` skips the exact test.

    >>> t = cochran_armitage([(1, 1, 10), (2, 4, 10), (3, 8, 10)])
    >>> round(t.z, 3), round(t.p_asymptotic, 4), round(t.p_exact, 4), t.test
    (3.159, 0.0016, 0.0028, 'exact')
    >>> t.slope.render()
    '0.35 [0.20, 0.50]'
    """
    used = _check_levels(levels)
    z_value(confidence)
    n, k = sum(x[2] for x in used), sum(x[1] for x in used)
    mean_score = sum(s * m for s, _, m in used) / n
    spread = sum(m * (s - mean_score) ** 2 for s, _, m in used)
    if spread <= 0:
        raise ValueError(f"a trend needs runs at two different scores, got {[s for s, _, _ in used]}")
    p_bar = k / n
    null_var = p_bar * (1 - p_bar) * spread
    t = sum((s - mean_score) * x for s, x, _ in used) if null_var > 0 else 0.0  # else 0 but for rounding
    z = t / math.sqrt(null_var) if null_var > 0 else 0.0
    p_asymptotic = math.erfc(abs(z) / math.sqrt(2)) if null_var > 0 else 1.0
    p_exact = _exact_p(used) if exact else None
    return TrendTest(
        n_runs=n,
        k_runs=k,
        z=z,
        p_asymptotic=p_asymptotic,
        p_exact=p_exact,
        p_value=p_asymptotic if p_exact is None else p_exact,
        test="asymptotic" if p_exact is None else "exact",
        slope=_slope(used, mean_score, spread, t / spread, confidence),
    )


def _check_levels(levels: Sequence[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """The levels with runs, checked (0 ≤ k ≤ n, finite scores)."""
    for score, k, n in levels:
        if not math.isfinite(score) or n < 0 or not 0 <= k <= n:
            raise ValueError(f"each level needs a finite score and 0 <= k <= n, got {(score, k, n)}")
    return [(float(s), k, n) for s, k, n in levels if n > 0]


def _slope(
    levels: list[tuple[float, int, int]], mean_score: float, spread: float, slope: float, confidence: float
) -> Interval:
    """The slope with its Wald interval (each level's own binomial variance)."""
    var = sum((s - mean_score) ** 2 * k * (n - k) / n for s, k, n in levels) / spread**2
    half = z_value(confidence) * math.sqrt(var)
    return Interval(estimate=slope, low=slope - half, high=slope + half)


def _integer_scores(scores: Sequence[float]) -> list[int] | None:
    """The scores as small integers with the same spacing (a trend test is unchanged by s → a·s + c),
    or None when they are not decimals of a few places."""
    exact = [Fraction(repr(s)) for s in scores]
    scale = math.lcm(*(f.denominator for f in exact))
    if scale > 10**6:
        return None
    low = min(exact)
    return [int((f - low) * scale) for f in exact]


def _exact_p(levels: list[tuple[float, int, int]]) -> float | None:
    """Two-sided conditional exact p-value of the trend: the weights (products of binomial
    coefficients) of every partial table, by runs with a finding so far and statistic so far,
    level by level; None past :data:`EXACT_WORK` additions."""
    scores = _integer_scores([s for s, _, _ in levels])
    if scores is None:
        return None
    ns = [n for _, _, n in levels]
    n_total, k_total = sum(ns), sum(k for _, k, _ in levels)
    expected = k_total * sum(s * n for s, n in zip(scores, ns, strict=True))  # N · E[T]
    observed = abs(n_total * sum(s * k for s, (_, k, _) in zip(scores, levels, strict=True)) - expected)
    dist: dict[int, dict[int, int]] = {0: {0: 1}}  # runs with a finding so far -> statistic -> weight
    remaining, work = n_total, 0
    for score, n in zip(scores, ns, strict=True):
        remaining -= n
        combs = [math.comb(n, x) for x in range(min(n, k_total) + 1)]
        step: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for k, weights in dist.items():
            for x in range(max(0, k_total - k - remaining), min(n, k_total - k) + 1):
                work += len(weights)
                if work > EXACT_WORK:
                    return None
                into, shift, c = step[k + x], score * x, combs[x]
                for t, w in weights.items():
                    into[t + shift] += w * c
        dist = step
    tail = sum(w for t, w in dist[k_total].items() if abs(n_total * t - expected) >= observed)
    return min(1.0, tail / math.comb(n_total, k_total))


def trend(
    outcomes: Iterable[RunOutcome],
    by: str,
    order: Mapping[str, float],
    *,
    pool: Sequence[str] = (),
    confidence: float = 0.95,
    exact: bool = True,
) -> list[TrendRow]:
    """Per stratum, each level's rate and the trend test of the rate against the levels' scores.

    ``by`` is a factor as in :func:`~skins.analysis.stats.comparisons.compare` (usually ``model``, the
    deceiver's base model, with outcomes keyed by
    :func:`~skins.analysis.stats.factors.comparison_fields`). ``order`` gives every level's score
    (capability: higher is more capable; :func:`order_scores` turns an order into ranks); a level
    without a score is an error. ``pool`` names run factors not to hold fixed. A stratum with runs at
    fewer than two distinct scores has no row: there is no trend to test, and it does not enter
    the family Holm and Benjamini–Hochberg adjust over (the rows returned).

    >>> mk = lambda rid, model, c: RunOutcome(run_id=rid, world_id="w", seed=int(rid[1:]), ablated=(),
    ...     models={"a": model}, personas={"a": "rep"},
    ...     key={"deceiver_model": model, "deceiver_skin": "rep", "type": "lie"}, count=c)
    >>> runs = [mk(f"{m}{i}", m, int(i < k)) for m, k in [("s", 1), ("m", 4), ("l", 8)] for i in range(10)]
    >>> (row,) = trend(runs, by="model", order=order_scores(["s", "m", "l"]))
    >>> [(lv.level, lv.k_runs, lv.n_runs) for lv in row.levels], round(row.p_value, 4), row.p_holm == row.p_value
    ([('s', 1, 10), ('m', 4, 10), ('l', 8, 10)], 0.0028, True)
    >>> row.stratum
    {'world': 'w', 'variant': 'default', 'ablation': '(none)', 'models': '', 'deceiver_skin': 'rep', 'type': 'lie'}
    """
    pooled = check_pool(by, pool, verb="order")
    strata: dict[_Group, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for o in outcomes:
        require_keyed(o, by, "trend")
        strata[stratum(o, by, pooled)][factor_value(o, by)][o.run_id] += o.count
    _check_order(by, {level for arms in strata.values() for level in arms}, order)
    raw: list[tuple[_Group, list[TrendLevel], TrendTest]] = []
    for group, arms in sorted(strata.items()):
        levels = sorted(
            (_level(name, order[name], counts, confidence) for name, counts in arms.items()),
            key=lambda lv: (lv.score, lv.level),
        )
        if len({lv.score for lv in levels}) >= 2:
            test = cochran_armitage([(lv.score, lv.k_runs, lv.n_runs) for lv in levels], confidence, exact=exact)
            raw.append((group, levels, test))
    ps = [t.p_value for *_, t in raw]
    return [
        TrendRow(comparison=by, stratum=dict(group), pooled=pooled, levels=levels, p_holm=ph, p_bh=pb, **dict(t))
        for (group, levels, t), ph, pb in zip(raw, holm(ps), benjamini_hochberg(ps), strict=True)
    ]


def _level(name: str, score: float, counts: Mapping[str, int], confidence: float) -> TrendLevel:
    n, k = len(counts), sum(1 for c in counts.values() if c > 0)
    rate = wilson_interval(k, n, confidence)
    return TrendLevel(level=name, score=score, n_runs=n, k_runs=k, rate=rate, mean_count=fmean(counts.values()))


def _check_order(by: str, levels: set[str], order: Mapping[str, float]) -> None:
    unknown = sorted(levels - set(order))
    if unknown:
        raise ValueError(
            f"no score for the {by} level(s) {unknown}; scores are given for {sorted(order)}: "
            f"give every level of {by} a score (the levels in these runs are {sorted(levels)})"
        )
    bad = {name: s for name, s in order.items() if not math.isfinite(s)}
    if bad:
        raise ValueError(f"scores must be finite numbers, got {bad}")
