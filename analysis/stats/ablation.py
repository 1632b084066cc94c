"""Ablation effects: per key, the rate with an incentive against the rate without it, and whether
removing it lowers the rate (conventions, and when an ablation is called causal: :mod:`.rates`)."""

from __future__ import annotations

__all__ = ["AblationRow", "ablation_effects"]

from collections import defaultdict
from collections.abc import Iterable

from pydantic import Field

from skins.analysis.stats.conditions import (
    ContrastOptions,
    IntervalMethod,
    Paired,
    background_key,
    contrast_runs,
    split_by_incentive,
)
from skins.analysis.stats.factors import run_factors
from skins.analysis.stats.intervals import DEFAULT_RESAMPLES, Contrast
from skins.analysis.stats.outcomes import RunOutcome

_Group = tuple[tuple[str, str], ...]


class AblationRow(Contrast):
    """One key in one condition with an incentive (a) and without it (b); ``difference`` is without − with."""

    condition: dict[str, str] = Field(default_factory=dict)
    """World, variant and model assignment held fixed (never pooled: two worlds may share a role id;
    empty in effects stored before conditions were recorded)."""
    key: dict[str, str]
    incentive: str
    causal: bool
    """Removing the incentive lowers the rate significantly: the difference's interval lies entirely
    below 0 *and* the exact test agrees (p < 1 − confidence). The score intervals alone would call
    2 of 2 runs against 0 of 2 significant, where the exact tests give p = 0.5 (paired) or 1/3."""


def ablation_effects(
    outcomes: Iterable[RunOutcome],
    incentive: str,
    *,
    interval: IntervalMethod = "newcombe",
    paired: Paired = "auto",
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> list[AblationRow]:
    """Per key: the rate with ``incentive`` (a) against without it (b), and whether removing it lowers it.

    Rows are per world, variant and model assignment (:attr:`AblationRow.condition`)
    and key. Runs pair on world, seed, models and the *other* ablations; only
    backgrounds of other ablations present in both arms are used, so the
    difference is the one incentive's. Build the outcomes keyed by the edge,
    e.g. ``by=("deceiver_role", "target_role", "type", "subject")``.

    >>> mk = lambda rid, abl, c: RunOutcome(run_id=rid, world_id="w", seed=int(rid[1]), ablated=abl,
    ...     models={"a": "m"}, personas={"a": "rep"}, key={"type": "lie"}, count=c)
    >>> runs = [mk(f"s{i}", (), 1) for i in range(8)] + [mk(f"t{i}", ("bonus",), 0) for i in range(8)]
    >>> r = ablation_effects(runs, "bonus")[0]
    >>> (r.n_pairs, r.difference.estimate, round(r.difference.high, 4), r.causal, r.p_value)
    (8, -1.0, -0.5412, True, 0.0078125)
    """
    by_key: dict[tuple[_Group, _Group], list[RunOutcome]] = defaultdict(list)
    for o in outcomes:
        held = tuple((f, v) for f, v in run_factors(o).items() if f != "ablation")
        by_key[held, tuple(o.key.items())].append(o)
    opts = ContrastOptions(interval, paired, confidence, resamples, seed)
    rows: list[AblationRow] = []
    for (held, key), items in sorted(by_key.items()):
        with_, without = split_by_incentive(items, incentive)
        if not with_ or not without:
            continue
        stats = contrast_runs(with_, without, background_key(incentive), opts)
        causal = stats.difference.high < 0 and stats.p_value < 1 - confidence
        rows.append(AblationRow(condition=dict(held), key=dict(key), incentive=incentive, causal=causal, **dict(stats)))
    return rows
