"""CLI ``skins compare``: the levels of one factor against each other, every other factor held fixed,
paired where seeds pair, with adjusted p-values over the stated family."""

from __future__ import annotations

__all__ = ["register"]

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from skins.analysis import ComparisonRow, run_outcomes
from skins.analysis import compare as compare_outcomes
from skins.analysis.report import load_analyzed
from skins.analysis.stats import check_factor, comparison_fields, split_pool
from skins.cli.common import friendly, out
from skins.core import ConfigError

_COLUMN_NAMES = {"deceiver_role": "deceiver", "target_role": "target", "subject": "about"}


def register(app: typer.Typer) -> None:
    app.command("compare")(friendly(compare))


def compare(
    run_dir: Annotated[Path, typer.Argument(help="A folder holding runs of several conditions.")],
    by: Annotated[
        str,
        typer.Option(help="Factor: world, variant, ablation, models, model:ROLE, skin or model (the deceiver's)."),
    ] = "ablation",
    baseline: Annotated[
        str | None, typer.Option(help="Compare each other level with this one (e.g. a control variant).")
    ] = None,
    pool: Annotated[
        list[str],
        typer.Option(help="A factor or key field to merge on purpose (repeatable); never merged otherwise."),
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
    alpha: Annotated[float, typer.Option(help="Level at which adjusted p-values are marked.")] = 0.05,
    interval: Annotated[
        str, typer.Option(help="newcombe (score interval) or bootstrap (runs resampled).")
    ] = "newcombe",
    stored: Annotated[
        bool, typer.Option("--stored", help="Use the findings of the last `skins analyze` (e.g. with a judge).")
    ] = False,
) -> None:
    """Differences between conditions, with intervals, exact tests and p-values adjusted for many comparisons."""
    factor, pooled_factors, pooled_fields = _options(by, pool, alpha, interval)
    analyzed = load_analyzed(run_dir, stored=stored).analyzed
    outcomes = run_outcomes(analyzed, by=comparison_fields(factor, pooled_fields))
    try:
        rows = compare_outcomes(
            outcomes,
            factor,
            baseline=baseline,
            pool=pooled_factors,
            interval="bootstrap" if interval == "bootstrap" else "newcombe",
        )
    except ValueError as exc:
        raise ConfigError(f"--by {by}: {exc}") from None
    _print_comparison(rows, factor, alpha, [*pooled_factors, *pooled_fields])


def _options(by: str, pool: list[str], alpha: float, interval: str) -> tuple[str, list[str], list[str]]:
    """The factor, the pooled run factors and the pooled key fields, or a ConfigError naming the options."""
    try:
        factor = check_factor(by)
    except ValueError as exc:
        raise ConfigError(f"--by {by!r}: {exc}") from None
    try:
        factors, key_fields = split_pool(factor, pool)
    except ValueError as exc:
        raise ConfigError(f"--pool: {exc}") from None
    if not 0 < alpha < 1:
        raise ConfigError(f"--alpha {alpha}: choose a level between 0 and 1, e.g. 0.05")
    if interval not in ("newcombe", "bootstrap"):
        raise ConfigError(f"--interval {interval!r}: choose newcombe or bootstrap")
    return factor, factors, key_fields


def _print_comparison(rows: list[ComparisonRow], by: str, alpha: float, pooled: list[str]) -> None:
    if not rows:
        out().print(f"No two levels of {by} to compare within any one condition in this folder.", markup=False)
        return
    fields = list(rows[0].stratum)
    fixed = {f: rows[0].stratum[f] for f in fields if all(r.stratum.get(f) == rows[0].stratum[f] for r in rows)}
    varying = [f for f in fields if f not in fixed]
    table = Table(title=f"Comparison by {by}: rate of runs with ≥1 finding; B − A with its 95% CI")
    for col in (*(_COLUMN_NAMES.get(f, f) for f in varying), "A", "B", "rate A", "rate B", "B − A", "±"):
        table.add_column(col, overflow="fold")
    for col in ("n", "seeds to halve ±", "test", "p", "p Holm", "p BH"):
        table.add_column(col, justify="right")
    for r in rows:
        mark = " *" if r.p_holm < alpha else ""
        table.add_row(
            *(r.stratum[f] for f in varying),
            r.condition_a,
            r.condition_b,
            f"{r.k_a}/{r.n_a} {r.rate_a.render()}",
            f"{r.k_b}/{r.n_b} {r.rate_b.render()}",
            r.difference.render(),
            f"{r.half_width:.2f}",
            f"{r.n_pairs} pairs" if r.paired else f"{r.n_a}+{r.n_b}",
            str(r.seeds_to_halve),
            "McNemar (paired)" if r.test == "mcnemar" else "Fisher (unpaired)",
            f"{r.p_value:.3g}",
            f"{r.p_holm:.3g}{mark}",
            f"{r.p_bh:.3g}",
        )
    out().print(table)
    held = "; ".join(f"{_COLUMN_NAMES.get(f, f)}={v}" for f, v in fixed.items())
    lines = [
        f"Held fixed in every row: {held or 'nothing beyond the columns'}.",
        "Pooled on request: " + ", ".join(pooled) + "." if pooled else "Nothing pooled: each row is one condition.",
        f"Family: the {len(rows)} comparison{'s' if len(rows) != 1 else ''} above. Holm controls the family-wise "
        f"error, Benjamini–Hochberg the false discovery rate; * = Holm-adjusted p < {alpha:g}.",
        (
            "Skins pair within each run (two deceivers in one run)."
            if by == "skin"
            else "Runs pair when both levels have the same seed"
            + (" and pooled levels" if pooled else "")
            + "; a row is unpaired when some run had no partner."
        ),
    ]
    for line in lines:
        out().print(line, markup=False)
