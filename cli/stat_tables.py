"""The tables ``skins compare`` prints: comparisons between levels and trends along a capability ladder.

Fields every row shares are printed once above the table ("held fixed"); the family the adjusted
p-values cover and what was pooled are stated below it.
"""

from __future__ import annotations

__all__ = ["print_comparison", "print_trends"]

from collections.abc import Mapping, Sequence

from rich.table import Table

from skins.analysis import ComparisonRow, TrendRow
from skins.analysis.stats import COVARIATES
from skins.cli.common import out

_COLUMN_NAMES = {"deceiver_role": "deceiver", "target_role": "target", "subject": "about"}
_TESTS = {"mcnemar": "exact McNemar (paired)", "fisher": "Fisher's exact (unpaired)"}


def _split(strata: Sequence[Mapping[str, str]]) -> tuple[dict[str, str], list[str]]:
    """Fields with one value in every row (printed once), and the fields that vary (columns)."""
    first = strata[0]
    fixed = {f: v for f, v in first.items() if all(s.get(f) == v for s in strata)}
    return fixed, [f for f in first if f not in fixed]


def _footer(fixed: Mapping[str, str], pooled: Sequence[str], n_rows: int, alpha: float, what: str) -> list[str]:
    held = "; ".join(f"{_COLUMN_NAMES.get(f, f)}={v}" for f, v in fixed.items())
    return [
        f"Held fixed in every row: {held or 'nothing beyond the columns'}.",
        "Pooled on request: " + ", ".join(pooled) + "." if pooled else "Nothing pooled: each row is one condition.",
        f"Family: the {n_rows} {what}{'s' if n_rows != 1 else ''} above. Holm controls the family-wise "
        f"error, Benjamini–Hochberg the false discovery rate; * = Holm-adjusted p < {alpha:g}.",
    ]


def print_comparison(rows: list[ComparisonRow], by: str, alpha: float, pooled: list[str]) -> None:
    """Each pair of levels: rates, the difference with its interval and half-width, the seeds that would
    halve it, the test used (paired or not) and raw and adjusted p-values. The levels and the test,
    when every row shares them, are named once instead of in columns."""
    if not rows:
        out().print(f"No two levels of {by} to compare within any one condition in this folder.", markup=False)
        return
    fixed, varying = _split([r.stratum for r in rows])
    one_pair = len({(r.condition_a, r.condition_b) for r in rows}) == 1
    one_test = len({r.test for r in rows}) == 1
    a, b = (f"rate {rows[0].condition_a}", f"rate {rows[0].condition_b}") if one_pair else ("rate A", "rate B")
    title = f"{by}: {rows[0].condition_b} − {rows[0].condition_a}" if one_pair else f"{by}: B − A"
    table = Table(title=f"Comparison by {title}, rate of runs with ≥1 finding (95% CI)")
    levels = () if one_pair else ("A", "B")
    for col in (*(_COLUMN_NAMES.get(f, f) for f in varying), *levels, a, b, "difference", "±"):
        table.add_column(col, overflow="fold")
    for col in ("n", "seeds to halve ±", *(() if one_test else ("test",)), "p", "p Holm", "p BH"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            *(r.stratum[f] for f in varying),
            *(() if one_pair else (r.condition_a, r.condition_b)),
            f"{r.k_a}/{r.n_a} {r.rate_a.render()}",
            f"{r.k_b}/{r.n_b} {r.rate_b.render()}",
            r.difference.render(),
            f"{r.half_width:.2f}",
            f"{r.n_pairs} pairs" if r.paired else f"{r.n_a}+{r.n_b}",
            str(r.seeds_to_halve),
            *(() if one_test else (_TESTS[r.test],)),
            f"{r.p_value:.3g}",
            f"{r.p_holm:.3g}{' *' if r.p_holm < alpha else ''}",
            f"{r.p_bh:.3g}",
        )
    out().print(table)
    pairing = (
        "Skins pair within each run (two deceivers in one run)."
        if by == "skin"
        else f"Each run is one level of {by} (a covariate, observed not assigned): never paired."
        if by in COVARIATES
        else "Runs pair when both levels have the same seed"
        + (" and pooled levels" if pooled else "")
        + "; a row is unpaired when some run had no partner."
    )
    test = [f"Test in every row: {_TESTS[rows[0].test]}."] if one_test else []
    for line in (*_footer(fixed, pooled, len(rows), alpha, "comparison"), pairing, *test):
        out().print(line, markup=False)


def print_trends(rows: list[TrendRow], by: str, alpha: float, pooled: list[str]) -> None:
    """Per stratum: each level's score and rate, the slope of the rate per unit of score, the trend test."""
    if not rows:
        out().print(f"No stratum has runs at two or more levels of {by}: no trend to test.", markup=False)
        return
    fixed, varying = _split([r.stratum for r in rows])
    table = Table(title=f"Trend of the rate of runs with ≥1 finding along {by} (capability score in brackets)")
    for col in (*(_COLUMN_NAMES.get(f, f) for f in varying), "runs with ≥1 / runs, per level", "slope [95% CI]"):
        table.add_column(col, overflow="fold")
    for col in ("z", "test", "p", "p Holm", "p BH"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            *(r.stratum[f] for f in varying),
            r.render_levels(),
            r.render_slope(),
            f"{r.z:+.2f}",
            "exact" if r.test == "exact" else "normal approx.",
            f"{r.p_value:.3g}",
            f"{r.p_holm:.3g}{' *' if r.p_holm < alpha else ''}",
            f"{r.p_bh:.3g}",
        )
    out().print(table)
    method = (
        "Cochran–Armitage test of a linear trend in the rate over the scores (exact conditional p when cheap "
        "to enumerate); the slope is the change in rate per unit of score; levels are independent samples."
    )
    for line in (*_footer(fixed, pooled, len(rows), alpha, "trend test"), method):
        out().print(line, markup=False)
