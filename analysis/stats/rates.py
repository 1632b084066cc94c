"""Rates across runs: per group, the share of runs with at least one finding, with its interval.

Rates, comparisons (:mod:`.comparisons`), ablation effects (:mod:`.ablation`) and accuracy
(:mod:`.accuracy`) share these conventions.

The unit of analysis is the **run**: turns of one run are not independent, so
each run contributes one outcome per key (did at least one finding of that key
occur; how many). :func:`run_outcomes` builds that tidy table from
``(transcript, findings)`` pairs, as :func:`skins.analysis.pipeline.analyze_folder`
yields them; every other function reads the table.

Which interval and test each function uses (all at ``confidence``, 95% by default):

- a rate: Wilson score interval (:func:`skins.analysis.stats.intervals.wilson_interval`);
- a difference of rates, unpaired: Newcombe's hybrid score interval and
  Fisher's exact test; ``interval="bootstrap"`` swaps in a percentile
  bootstrap resampling runs within each condition;
- a difference of rates, paired (the same world, seed and models in both
  conditions): Newcombe's paired square-and-add interval and the exact
  McNemar test; ``interval="bootstrap"`` swaps in a percentile bootstrap
  resampling pairs;
- accuracy on capability tasks: percentile bootstrap over runs (or pairs).

An ablation is called ``causal`` when removing the incentive lowers the rate
with the difference's interval below 0 *and* the exact test's p below
1 − confidence (at tiny n the score interval alone can exclude 0 when the
exact test does not).

Every bootstrap draws from ``random.Random(seed)`` (seed 0, 2000 resamples by
default), so the same input gives the same numbers.
"""

from __future__ import annotations

__all__ = ["RateRow", "rate_table"]

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from skins.analysis.stats.conditions import condition_name
from skins.analysis.stats.factors import RUN_FACTORS, factor_value
from skins.analysis.stats.intervals import Interval, wilson_interval
from skins.analysis.stats.outcomes import RunOutcome

_RUN_FIELDS = ("world_id", "ablated", *RUN_FACTORS)
_Group = tuple[tuple[str, str], ...]
"""(field, value) pairs naming a group of outcomes."""


class RateRow(BaseModel):
    """The rate of runs with at least one finding of a key, with its Wilson interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: dict[str, str]
    n_runs: int
    """Runs in which the key could occur (the denominator)."""
    k_runs: int
    """Runs with at least one such finding."""
    rate: Interval
    mean_count: float
    """Findings per run."""
    total_count: int


def _group_value(outcome: RunOutcome, field: str) -> str:
    if field == "world_id":
        return outcome.world_id
    if field == "ablated":
        return condition_name(outcome.ablated)
    if field in RUN_FACTORS:
        return factor_value(outcome, field)
    return outcome.key[field]


def _per_run(outcomes: Iterable[RunOutcome], by: Sequence[str] | None) -> dict[_Group, dict[str, int]]:
    """Group → run id → count, summing the counts of keys merged into one group."""
    groups: dict[_Group, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for o in outcomes:
        fields = list(o.key) if by is None else list(by)
        missing = [f for f in fields if f not in o.key and f not in _RUN_FIELDS]
        if missing:
            raise ValueError(f"outcomes are keyed by {list(o.key)}; cannot group by {missing} (or {list(_RUN_FIELDS)})")
        groups[tuple((f, _group_value(o, f)) for f in fields)][o.run_id] += o.count
    return groups


def rate_table(
    outcomes: Iterable[RunOutcome], by: Sequence[str] | None = None, confidence: float = 0.95
) -> list[RateRow]:
    """Per group: runs with ≥1 finding out of the runs where it could occur, with a Wilson interval.

    ``by`` defaults to the outcomes' own key; a subset of it merges keys per
    run (a run counts once per group), and the run factors ``world``, ``variant``,
    ``ablation`` and ``models`` (or the raw ``world_id`` and ``ablated``) split by run
    attributes: pass :data:`~skins.analysis.stats.factors.CONDITION_FACTORS` first so
    that conditions are never pooled by accident.

    >>> mk = lambda rid, c: RunOutcome(run_id=rid, world_id="w", seed=0, ablated=(), models={},
    ...                                personas={}, key={"type": "lie"}, count=c)
    >>> [(r.k_runs, r.n_runs, round(r.rate.low, 4), r.mean_count) for r in rate_table([mk("a", 2), mk("b", 0)])]
    [(1, 2, 0.0945, 1.0)]
    """
    rows = []
    for group, counts in sorted(_per_run(outcomes, by).items()):
        n, k = len(counts), sum(1 for c in counts.values() if c > 0)
        total = sum(counts.values())
        rows.append(
            RateRow(
                key=dict(group),
                n_runs=n,
                k_runs=k,
                rate=wilson_interval(k, n, confidence),
                mean_count=total / n,
                total_count=total,
            )
        )
    return rows
