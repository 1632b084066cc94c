"""Comparisons between conditions: skins on one base model, base models in one skin, ablated sets on
one key, each pair of conditions within each stratum (conventions: :mod:`.rates`)."""

from __future__ import annotations

__all__ = ["ComparisonRow", "compare"]

import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Literal

from skins.analysis.stats.conditions import ContrastOptions, IntervalMethod, Paired, condition_name, contrast_runs
from skins.analysis.stats.intervals import DEFAULT_RESAMPLES, Contrast
from skins.analysis.stats.outcomes import RunOutcome

_Group = tuple[tuple[str, str], ...]
"""(field, value) pairs naming a stratum."""


class ComparisonRow(Contrast):
    """Two conditions (skins, base models or ablated sets) within one stratum."""

    comparison: Literal["skin", "model", "ablation"]
    stratum: dict[str, str]
    """The key without the condition's field (what is held fixed)."""
    condition_a: str
    condition_b: str


_CONDITION_FIELD = {"skin": "deceiver_skin", "model": "deceiver_model"}


def _pair_key(by: str) -> Callable[[RunOutcome], Hashable]:
    """What must match for two runs to be a pair: the same run (skins), the same run but for the
    deceiver's model (models), the same world, seed and models (ablations)."""
    if by == "skin":
        return lambda o: o.run_id
    if by == "model":
        return lambda o: (
            o.world_id,
            o.seed,
            o.ablated,
            tuple((r, m) for r, m in o.models.items() if o.personas.get(r) != o.key["deceiver_skin"]),
        )
    return lambda o: (o.world_id, o.seed, tuple(o.models.items()))


def compare(
    outcomes: Iterable[RunOutcome],
    by: Literal["skin", "model", "ablation"],
    *,
    interval: IntervalMethod = "newcombe",
    paired: Paired = "auto",
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> list[ComparisonRow]:
    """Every pair of conditions within each stratum: skins on one base model, base models in one
    skin, or ablated sets on one key.

    ``by="skin"`` and ``by="model"`` need outcomes keyed by both
    ``deceiver_skin`` and ``deceiver_model`` (the other one is held fixed).
    Two runs are a pair when they are the same run (skins), differ only in the
    deceiver's base model (models: same world, seed, ablations and other
    roles' models), or differ only in what is ablated (same world, seed and
    models). ``paired="auto"`` pairs when every run of both conditions has
    exactly one partner; ``True`` keeps the matched runs only; ``False`` never
    pairs. Conditions are ordered by name: the difference is b − a.

    >>> mk = lambda rid, abl, c: RunOutcome(run_id=rid, world_id="w", seed=int(rid[1]), ablated=abl,
    ...     models={"a": "m"}, personas={"a": "rep"}, key={"type": "lie"}, count=c)
    >>> rows = compare([mk("s1", (), 1), mk("s2", (), 1), mk("t1", ("bonus",), 0),
    ...                 mk("t2", ("bonus",), 0)], by="ablation")
    >>> r = rows[0]
    >>> (r.condition_a, r.condition_b, r.difference.estimate, r.paired, r.test, r.p_value)
    ('(none)', 'bonus', -1.0, True, 'mcnemar', 0.5)
    """
    outcomes = list(outcomes)
    _require_keys(outcomes, by)
    field = _CONDITION_FIELD.get(by)
    strata: dict[_Group, dict[str, list[RunOutcome]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes:
        condition = o.key[field] if field else condition_name(o.ablated)
        strata[tuple((f, v) for f, v in o.key.items() if f != field)][condition].append(o)
    opts = ContrastOptions(interval, paired, confidence, resamples, seed)
    rows: list[ComparisonRow] = []
    for stratum, arms in sorted(strata.items()):
        for a, b in itertools.combinations(sorted(arms), 2):
            stats = dict(contrast_runs(arms[a], arms[b], _pair_key(by), opts))
            rows.append(ComparisonRow(comparison=by, stratum=dict(stratum), condition_a=a, condition_b=b, **stats))
    return rows


def _require_keys(outcomes: list[RunOutcome], by: str) -> None:
    if by not in ("skin", "model", "ablation"):
        raise ValueError(f"compare(by={by!r}): choose 'skin', 'model' or 'ablation'")
    need = {"deceiver_skin", "deceiver_model"} if by in _CONDITION_FIELD else set()
    for o in outcomes:
        if not need <= set(o.key):
            raise ValueError(
                f"compare(by={by!r}) holds the deceiver's {'base model' if by == 'skin' else 'skin'} fixed, but the "
                f"outcomes are keyed by {list(o.key)}: build them with run_outcomes(runs, "
                f"by=('deceiver_skin', 'deceiver_model', ...))"
            )
