"""How many seeds: runs per arm to detect a difference in rates with a given power, checked with the
exact test's own power, and the runs per arm that would halve a comparison's interval.

Unpaired arms: Fleiss's formula, the pooled variance under the null and each arm's own under the
alternative (Fleiss, Levin & Paik 2003, chapter 4), with the continuity correction of Fleiss, Tytun &
Ury (1980), which brings it close to Fisher's exact test, the test comparisons report. Paired arms
(seeds that pair): Connor (1987) from the probabilities of the two discordant kinds of pair, for the
exact McNemar test. Both are normal approximations; :func:`plan_seeds` computes the exact test's
power at the formula's n (:mod:`.power`) and steps n up until that reaches the power asked for.
"""

from __future__ import annotations

__all__ = [
    "MAX_EXACT",
    "SeedPlan",
    "connor_sample_size",
    "discordant_probabilities",
    "fleiss_sample_size",
    "plan_seeds",
    "seeds_to_halve",
]

import math
from statistics import NormalDist
from typing import Literal

from pydantic import BaseModel, ConfigDict

from skins.analysis.stats.intervals import Contrast, newcombe_interval, newcombe_paired_interval, z_value
from skins.analysis.stats.power import fisher_power, mcnemar_power

MAX_EXACT = 500
"""Largest n per arm whose exact power :func:`plan_seeds` enumerates (about 0.1 s per n there)."""
FLEISS = "Fleiss's formula, continuity-corrected (Fleiss, Tytun & Ury 1980)"
CONNOR = "Connor's formula (1987), from the discordant pairs"


class SeedPlan(BaseModel):
    """Seeds per arm to detect ``rate_b - rate_a`` with a two-sided exact test: the formula's answer and
    the exact test's power."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paired: bool
    rate_a: float
    """The baseline arm's rate (runs with a positive count)."""
    rate_b: float
    """The rate to detect: ``rate_a`` + the difference."""
    only_a: float | None
    only_b: float | None
    """Paired: probability that a pair is positive in a only, in b only (None when unpaired)."""
    power: float
    """The power asked for."""
    alpha: float
    """Two-sided level of the test."""
    formula: str
    """The sample-size formula: Fleiss's (unpaired) or Connor's (paired), with its reference."""
    n_formula: int
    """Runs per arm (pairs when paired) the formula gives."""
    test: Literal["fisher", "mcnemar"]
    power_at_formula: float | None
    """The exact test's power at ``n_formula``; None when that is above ``max_exact``."""
    n_exact: int | None
    """The smallest n from ``n_formula`` to ``max_exact`` at which the exact test reaches ``power``;
    None when none does (or ``n_formula`` is above ``max_exact``)."""
    power_at_exact: float | None
    """The exact test's power at ``n_exact``."""
    max_exact: int

    @property
    def seeds(self) -> int:
        """Runs per arm to plan for: ``n_exact``; the formula's n above ``max_exact``; ``max_exact + 1``
        (a lower bound) when the exact test falls short up to ``max_exact``."""
        if self.n_exact is not None:
            return self.n_exact
        return self.n_formula if self.n_formula > self.max_exact else self.max_exact + 1


def fleiss_sample_size(
    rate_a: float, rate_b: float, *, power: float = 0.8, alpha: float = 0.05, continuity: bool = True
) -> int:
    """Runs per arm for a two-sided test of ``rate_a`` against ``rate_b`` (Fleiss, Levin & Paik 2003, ch. 4).

    ``n' = (z_{α/2}·√(2·p̄q̄) + z_β·√(p_a q_a + p_b q_b))² / d²`` with ``p̄`` the mean rate and ``d``
    the difference; with ``continuity`` (the default, for Fisher's exact test) it becomes
    ``n'/4 · (1 + √(1 + 4/(n'·d)))²``. By hand for 0.1 against 0.2: ``n' = (1.95996·0.50498 +
    0.84162·0.5)² / 0.01 = 198.96``, corrected ``49.74 · (1 + 1.09591)² = 218.4``.

    >>> fleiss_sample_size(0.1, 0.2, continuity=False), fleiss_sample_size(0.1, 0.2)
    (199, 219)
    """
    _check_design(power, alpha)
    _check_rates(rate_a, rate_b)
    d = abs(rate_b - rate_a)
    mean = (rate_a + rate_b) / 2
    spread = z_value(1 - alpha) * math.sqrt(2 * mean * (1 - mean))
    shift = _z_power(power) * math.sqrt(rate_a * (1 - rate_a) + rate_b * (1 - rate_b))
    n = (spread + shift) ** 2 / d**2
    if continuity:
        n = n / 4 * (1 + math.sqrt(1 + 4 / (n * d))) ** 2
    return math.ceil(n)


def connor_sample_size(only_a: float, only_b: float, *, power: float = 0.8, alpha: float = 0.05) -> int:
    """Pairs for a two-sided McNemar test when a pair is positive in a only with probability ``only_a``
    and in b only with ``only_b`` (Connor 1987).

    ``n = (z_{α/2}·√ψ + z_β·√(ψ − δ²))² / δ²`` with ``ψ = only_a + only_b`` (discordance) and
    ``δ = only_b − only_a`` (the difference in rates). Connor's example, 0.05 and 0.45: 22.7, so 23.

    >>> connor_sample_size(0.05, 0.45)
    23
    """
    _check_design(power, alpha)
    if min(only_a, only_b) < 0 or only_a + only_b > 1 or only_a == only_b:
        raise ValueError(f"need two different discordant probabilities summing to at most 1, got {only_a}, {only_b}")
    psi, delta = only_a + only_b, only_b - only_a
    root = z_value(1 - alpha) * math.sqrt(psi) + _z_power(power) * math.sqrt(psi - delta * delta)
    return math.ceil(root * root / (delta * delta))


def discordant_probabilities(
    rate: float, difference: float, *, discordance: float | None = None, correlation: float | None = None
) -> tuple[float, float]:
    """(a only, b only): the probabilities of the two discordant kinds of pair when a's rate is ``rate`` and
    b's is ``rate + difference``, given either the share of pairs that disagree (``discordance``) or the
    correlation of a pair's two outcomes (``correlation``, the phi coefficient; 0 = independent seeds).

    >>> a, b = discordant_probabilities(0.3, 0.2, discordance=0.3)
    >>> round(a, 4), round(b, 4)
    (0.05, 0.25)
    >>> a, b = discordant_probabilities(0.3, 0.2, correlation=0.0)  # 0.3·0.5 and 0.7·0.5
    >>> round(a, 4), round(b, 4)
    (0.15, 0.35)
    """
    _check_rates(rate, rate + difference, difference)
    if (discordance is None) == (correlation is None):
        raise ValueError("paired: give either the discordance (share of pairs that disagree) or the correlation")
    rate_b = rate + difference
    if discordance is not None:
        most = min(2 * rate + difference, 2 - 2 * rate - difference)
        if not difference <= discordance <= most:
            raise ValueError(
                f"discordance {discordance} is impossible for rates {rate} and {rate_b:g}: "
                f"it must lie within [{difference:g}, {most:g}]"
            )
        return (discordance - difference) / 2, (discordance + difference) / 2
    assert correlation is not None  # one of the two was given (checked above)
    spread = math.sqrt(rate * (1 - rate) * rate_b * (1 - rate_b))
    both = rate * rate_b + correlation * spread
    low, high = max(0.0, rate + rate_b - 1), min(rate, rate_b)
    if not low - 1e-12 <= both <= high + 1e-12:
        lo, hi = (low - rate * rate_b) / spread, (high - rate * rate_b) / spread
        raise ValueError(
            f"correlation {correlation} is impossible for rates {rate} and {rate_b:g}: "
            f"it must lie within [{lo:.3f}, {hi:.3f}]"
        )
    both = min(max(both, low), high)
    return rate - both, rate_b - both


def plan_seeds(
    rate: float,
    difference: float,
    *,
    paired: bool = False,
    discordance: float | None = None,
    correlation: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    max_exact: int = MAX_EXACT,
) -> SeedPlan:
    """Seeds per arm to detect ``rate`` against ``rate + difference`` with ``power`` at two-sided ``alpha``.

    Unpaired: Fleiss's continuity-corrected formula and Fisher's exact test. ``paired``: Connor's
    formula and the exact McNemar test, with the pairs described by ``discordance`` or ``correlation``
    (:func:`discordant_probabilities`). The exact power is not monotone in n (the tests are discrete),
    so ``n_exact`` is the first n from the formula's up that reaches the power.

    >>> p = plan_seeds(0.2, 0.3)
    >>> p.n_formula, round(p.power_at_formula, 3), p.n_exact, round(p.power_at_exact, 3)
    (45, 0.815, 45, 0.815)
    >>> p = plan_seeds(0.2, 0.3, paired=True, correlation=0.3)
    >>> p.n_formula, round(p.power_at_formula, 3), p.n_exact, round(p.power_at_exact, 3)
    (31, 0.767, 33, 0.8)
    """
    _check_design(power, alpha)
    if not paired and (discordance is not None or correlation is not None):
        raise ValueError("discordance and correlation describe pairs: plan with paired=True")
    _check_rates(rate, rate + difference, difference)
    rate_b = rate + difference
    pairs = (
        discordant_probabilities(rate, difference, discordance=discordance, correlation=correlation) if paired else None
    )
    if pairs is None:
        n = fleiss_sample_size(rate, rate_b, power=power, alpha=alpha)
    else:
        n = connor_sample_size(*pairs, power=power, alpha=alpha)
    at_formula = _exact_power(n, rate, rate_b, pairs, alpha) if n <= max_exact else None
    n_exact, at_exact = n, at_formula
    while at_exact is not None and at_exact < power:
        n_exact += 1
        at_exact = _exact_power(n_exact, rate, rate_b, pairs, alpha) if n_exact <= max_exact else None
    return SeedPlan(
        paired=paired,
        rate_a=rate,
        rate_b=rate_b,
        only_a=pairs[0] if pairs else None,
        only_b=pairs[1] if pairs else None,
        power=power,
        alpha=alpha,
        formula=CONNOR if pairs else FLEISS,
        n_formula=n,
        test="mcnemar" if pairs else "fisher",
        power_at_formula=at_formula,
        n_exact=n_exact if at_exact is not None else None,
        power_at_exact=at_exact,
        max_exact=max_exact,
    )


def _exact_power(n: int, rate_a: float, rate_b: float, pairs: tuple[float, float] | None, alpha: float) -> float:
    """The exact test's power at n: McNemar's when the pairs' discordant probabilities are given, else Fisher's."""
    return fisher_power(n, rate_a, rate_b, alpha) if pairs is None else mcnemar_power(n, *pairs, alpha)


def seeds_to_halve(row: Contrast, confidence: float = 0.95) -> int:
    """Runs (pairs) per arm that would halve the half-width of ``row``'s difference interval if the
    rates stayed as observed: the counts are scaled to m runs per arm (fractional counts) and the
    smallest m whose interval is at most half as wide is found.

    The interval is the row's: Newcombe's, paired (from ``row.cells``) or not. A bootstrap row is
    planned with the Newcombe interval of the same design (a bootstrap cannot be scaled), and a paired
    row stored without its cells as unpaired. Halving takes about four times the runs, a little more
    from few runs (score intervals are pulled in when n is small) and fewer near rates of 0 or 1,
    where Wilson intervals shrink like 1/m, not 1/√m.

    >>> from skins.analysis.stats.intervals import contrast
    >>> seeds_to_halve(contrast([1] * 5 + [0] * 15, [1] * 10 + [0] * 10))  # 5/20 against 10/20
    90
    >>> seeds_to_halve(contrast([0] * 20, [0] * 20))  # 0/20 and 0/20: about 2n + z²
    44
    """
    target = _half_width(row, row.n_a, row.n_b, confidence) / 2
    low, high = 0, max(row.n_a, row.n_b)  # no runs: an unbounded interval
    while _half_width(row, high, high, confidence) > target:
        low, high = high, high * 2
    while high - low > 1:  # the half-width only shrinks as m grows: the answer is in (low, high]
        mid = (low + high) // 2
        low, high = (mid, high) if _half_width(row, mid, mid, confidence) > target else (low, mid)
    return high


def _half_width(row: Contrast, m_a: float, m_b: float, confidence: float) -> float:
    """Half-width of the row's Newcombe interval with its rates at ``m_a`` and ``m_b`` runs (pairs)."""
    if row.paired and row.cells is not None:
        both, only_b, only_a, neither = (c * m_a / row.n_pairs for c in row.cells)
        i = newcombe_paired_interval(both, only_b, only_a, neither, confidence)
    else:
        i = newcombe_interval(row.k_b * m_b / row.n_b, m_b, row.k_a * m_a / row.n_a, m_a, confidence)
    return (i.high - i.low) / 2


def _z_power(power: float) -> float:
    """The one-sided quantile of the power: 0.841621 for 0.8."""
    return NormalDist().inv_cdf(power)


def _check_design(power: float, alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1 (e.g. 0.05), got {alpha}")
    if not alpha < power < 1.0:
        raise ValueError(f"power must lie strictly between alpha ({alpha}) and 1 (e.g. 0.8), got {power}")


def _check_rates(rate_a: float, rate_b: float, difference: float | None = None) -> None:
    if difference is not None and difference <= 0:
        raise ValueError(f"the difference to detect must be positive (e.g. 0.2), got {difference}")
    if not 0.0 <= rate_a <= 1.0:
        raise ValueError(f"rates are shares of runs, within [0, 1]: the base rate is {rate_a}")
    if not 0.0 <= rate_b <= 1.0:
        hint = f"; from a base rate of {rate_a:g} the difference can be at most {1 - rate_a:g}" if rate_b > 1 else ""
        raise ValueError(f"rates are shares of runs, within [0, 1]: the rate to detect is {rate_b:g}{hint}")
    if rate_a == rate_b:
        raise ValueError(f"the two rates are equal ({rate_a}): there is no difference to detect")
