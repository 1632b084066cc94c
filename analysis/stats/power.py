"""Power of the exact tests comparisons report, by enumeration: Fisher's exact test for two arms of
``n`` independent runs, the exact McNemar test for ``n`` pairs (pure Python, like :mod:`.intervals`).

Both tests call an outcome significant when the null probabilities no larger than its own sum to at
most ``alpha``. For each margin — positive runs over both arms (Fisher), discordant pairs (McNemar) —
the null weights are unimodal integers, so the outcomes the test *accepts* are found by walking out
from the mode, heaviest first, until the lighter rest sums to at most ``alpha`` of the total; power is
one minus the probability of the accepted outcomes. That touches O(√n) outcomes per margin, not every
table. The weights, the integer sums and the final float comparison (``sum / total <= alpha``) are
those of :func:`~.intervals.fisher_exact` and :func:`~.intervals.mcnemar_exact`, so an outcome counts
as rejected exactly when those functions return p <= alpha (tests check it outcome by outcome).
Calling them per table would cost O(n) per table, O(n³) for a power: too slow for planning.
"""

from __future__ import annotations

__all__ = ["fisher_power", "mcnemar_power"]

import functools
import math
from collections.abc import Callable


def fisher_power(n: int, rate_a: float, rate_b: float, alpha: float = 0.05) -> float:
    """Probability that Fisher's exact test (two-sided) rejects at ``alpha`` with ``n`` runs per arm
    whose true rates are ``rate_a`` and ``rate_b``.

    >>> round(fisher_power(20, 0.2, 0.6), 4)
    0.6502
    >>> fisher_power(3, 0.0, 1.0)  # 0/3 against 3/3: p = 0.1, never significant at 0.05
    0.0
    """
    _check(n, alpha, rate_a=rate_a, rate_b=rate_b)
    pmf_a, pmf_b = _binomial_pmf(n, rate_a), _binomial_pmf(n, rate_b)
    comb_n = [math.comb(n, x) for x in range(n + 1)]
    accepted = 0.0
    for t in range(2 * n + 1):
        # x positive runs of arm b and t - x of arm a: the hypergeometric weights fisher_exact sums.
        weights = functools.cache(functools.partial(_table_weight, comb_n, t))
        for x in _accepted(weights, max(0, t - n), min(n, t), t // 2, math.comb(2 * n, t), alpha):
            accepted += pmf_b[x] * pmf_a[t - x]
    return min(1.0, max(0.0, 1.0 - accepted))


def mcnemar_power(n: int, only_a: float, only_b: float, alpha: float = 0.05) -> float:
    """Probability that the exact McNemar test (two-sided) rejects at ``alpha`` with ``n`` pairs, a pair
    being positive in a only with probability ``only_a`` and in b only with ``only_b``.

    Conditional on ``D`` discordant pairs the test is a sign test of the b-only count; the power sums
    over ``D ~ Binomial(n, only_a + only_b)``.

    >>> round(mcnemar_power(23, 0.05, 0.45), 4)  # Connor's 23 pairs for power 0.8: the exact test falls short
    0.7766
    >>> mcnemar_power(10, 0.0, 0.0)  # no pair ever discordant: nothing to test
    0.0
    """
    _check(n, alpha, only_a=only_a, only_b=only_b, discordance=only_a + only_b)
    discordance = only_a + only_b
    if discordance == 0:
        return 0.0
    pmf_d = _binomial_pmf(n, discordance)
    share_b = only_b / discordance
    accepted = sum(pmf * _sign_test_accepts(d, share_b, alpha) for d, pmf in enumerate(pmf_d) if pmf > 0.0)
    return min(1.0, max(0.0, 1.0 - accepted))


@functools.lru_cache(maxsize=4096)
def _sign_test_accepts(d: int, share_b: float, alpha: float) -> float:
    """P(the exact McNemar test accepts | d discordant pairs, each b-only with probability share_b).

    It does not depend on the number of pairs, so a plan stepping n up reuses it (hence the cache).
    """
    weights = functools.cache(functools.partial(math.comb, d))
    return sum(_binomial(k, d, share_b) for k in _accepted(weights, 0, d, d // 2, 1 << d, alpha))


def _table_weight(comb_n: list[int], t: int, x: int) -> int:
    """Tables of two arms of n runs with t positive runs, x of them in arm b: C(n, x)·C(n, t − x)."""
    return comb_n[x] * comb_n[t - x]


def _accepted(weight: Callable[[int], int], lo: int, hi: int, mode: int, total: int, alpha: float) -> list[int]:
    """Outcomes in ``lo..hi`` whose p-value, (sum of the weights no larger than theirs) / total, exceeds alpha.

    ``weight`` is unimodal with its peak at ``mode``: walking outwards takes the weights in decreasing
    order, a tie (a whole level) at once. Before a level, ``heavier`` sums the weights above it, so the
    level's p-value is ``(total - heavier) / total``; once that is at most alpha, every lighter outcome
    is rejected too.
    """
    kept: list[int] = []
    heavier, left, right = 0, mode, mode + 1
    while left >= lo or right <= hi:
        if (total - heavier) / total <= alpha:
            break
        level = max(weight(left) if left >= lo else 0, weight(right) if right <= hi else 0)
        while left >= lo and weight(left) == level:
            kept.append(left)
            heavier, left = heavier + level, left - 1
        while right <= hi and weight(right) == level:
            kept.append(right)
            heavier, right = heavier + level, right + 1
    return kept


def _binomial(k: int, n: int, p: float) -> float:
    """P(X = k) for X ~ Binomial(n, p), in logs so that large n neither overflows nor underflows early."""
    if p in (0.0, 1.0):
        return float(k == (0 if p == 0.0 else n))
    log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return math.exp(log + k * math.log(p) + (n - k) * math.log1p(-p))


def _binomial_pmf(n: int, p: float) -> list[float]:
    return [_binomial(k, n, p) for k in range(n + 1)]


def _check(n: int, alpha: float, **probabilities: float) -> None:
    if n < 1:
        raise ValueError(f"need at least one run (pair) per arm, got n={n}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1 (e.g. 0.05), got {alpha}")
    for name, p in probabilities.items():
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name} must be a probability within [0, 1], got {p}")
