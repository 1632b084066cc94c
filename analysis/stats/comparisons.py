"""Comparisons between the levels of one factor — world, variant, ablation, skin, base model — with
every other factor held fixed, paired by seed where seeds pair, and p-values adjusted over the
family of comparisons made together (conventions: :mod:`.rates`; factors: :mod:`.factors`)."""

from __future__ import annotations

__all__ = ["ComparisonRow", "compare"]

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence

from skins.analysis.stats.conditions import ContrastOptions, IntervalMethod, Paired, contrast_runs
from skins.analysis.stats.factors import check_pool, factor_value, pair_key, require_keyed, stratum
from skins.analysis.stats.intervals import DEFAULT_RESAMPLES, Contrast
from skins.analysis.stats.multiplicity import benjamini_hochberg, holm
from skins.analysis.stats.outcomes import RunOutcome
from skins.analysis.stats.planning import seeds_to_halve

_Group = tuple[tuple[str, str], ...]
"""(field, value) pairs naming a stratum."""


class ComparisonRow(Contrast):
    """Two levels of one factor within one stratum; ``difference`` is b − a (a is the baseline)."""

    comparison: str
    """The factor compared: world, variant, ablation, models, skin, model or model:ROLE."""
    stratum: dict[str, str]
    """What is held fixed: the other run factors not pooled, and the outcome key."""
    condition_a: str
    condition_b: str
    pooled: list[str]
    """Run factors merged on purpose (their levels pair runs instead of splitting rows)."""
    p_holm: float
    """``p_value`` adjusted over the family (every row returned together) by Holm: family-wise error."""
    p_bh: float
    """``p_value`` adjusted over the family by Benjamini–Hochberg: false discovery rate."""
    seeds_to_halve: int
    """Runs per arm (pairs, when paired) that would halve :attr:`half_width` at the same rates."""

    @property
    def half_width(self) -> float:
        """Half the width of the difference's interval: how precisely it is known."""
        return (self.difference.high - self.difference.low) / 2


def compare(
    outcomes: Iterable[RunOutcome],
    by: str,
    *,
    baseline: str | None = None,
    pool: Sequence[str] = (),
    interval: IntervalMethod = "newcombe",
    paired: Paired = "auto",
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> list[ComparisonRow]:
    """Each pair of levels of ``by`` within each stratum, every other factor held fixed.

    ``by`` is a run factor (``world``, ``variant``, ``ablation``, ``models``,
    ``model:ROLE``) or a key factor (``skin``, ``model``: the deceiver's, which
    need outcomes keyed by ``deceiver_skin`` and ``deceiver_model``; see
    :func:`~skins.analysis.stats.factors.comparison_fields`). ``baseline`` compares
    every other level with that one (else every pair, ordered by name: a < b).
    ``pool`` names run factors not to hold fixed; runs are then paired on the
    pooled levels as well as the seed. Runs of two levels with the same seed
    (and pooled levels) pair — the same run for skins — and ``paired="auto"``
    pairs when every run has exactly one partner (``True`` keeps the matched
    runs, ``False`` never pairs). Holm and Benjamini–Hochberg adjust the p-values
    over the rows returned: that is the family.

    >>> mk = lambda rid, world, c: RunOutcome(run_id=rid, world_id=world, seed=int(rid[1]), ablated=(),
    ...     models={"a": "m"}, personas={"a": "rep"}, key={"type": "lie"}, count=c)
    >>> runs = [mk(f"s{i}", "w", 1) for i in range(4)] + [mk(f"c{i}", "w@control", 0) for i in range(4)]
    >>> (r,) = compare(runs, by="variant", baseline="control")
    >>> (r.condition_a, r.condition_b, r.difference.estimate, r.paired, r.test, r.p_value, r.p_holm)
    ('control', 'default', 1.0, True, 'mcnemar', 0.125, 0.125)
    >>> r.stratum
    {'world': 'w', 'ablation': '(none)', 'models': 'a=m', 'type': 'lie'}
    """
    pooled = check_pool(by, pool)
    strata: dict[_Group, dict[str, list[RunOutcome]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes:
        require_keyed(o, by, "compare")
        strata[stratum(o, by, pooled)][factor_value(o, by)].append(o)
    if baseline is not None and not any(baseline in arms for arms in strata.values()):
        levels = sorted({level for arms in strata.values() for level in arms})
        raise ValueError(f"baseline {baseline!r} is not a level of {by}; the levels are {levels}")
    opts = ContrastOptions(interval, paired, confidence, resamples, seed)
    keys = pair_key(by, pooled)
    raw: list[tuple[_Group, str, str, Contrast]] = []
    for group, arms in sorted(strata.items()):
        for a, b in _pairs(sorted(arms), baseline):
            raw.append((group, a, b, contrast_runs(arms[a], arms[b], keys, opts)))
    ps = [c.p_value for *_, c in raw]
    return [
        ComparisonRow(
            comparison=by,
            stratum=dict(group),
            condition_a=a,
            condition_b=b,
            pooled=pooled,
            p_holm=ph,
            p_bh=pb,
            seeds_to_halve=seeds_to_halve(c, confidence),
            **dict(c),
        )
        for (group, a, b, c), ph, pb in zip(raw, holm(ps), benjamini_hochberg(ps), strict=True)
    ]


def _pairs(levels: list[str], baseline: str | None) -> Iterable[tuple[str, str]]:
    """Baseline against each other level, or every pair in name order."""
    if baseline is None:
        return itertools.combinations(levels, 2)
    return [(baseline, level) for level in levels if level != baseline] if baseline in levels else []
