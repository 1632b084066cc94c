"""CLI ``skins compare``: the levels of one factor against each other, every other factor held fixed,
paired where seeds pair, with adjusted p-values over the stated family.

``--by aware`` splits the runs by a covariate rather than a factor of the design: runs with any turn marked
evaluation-aware against runs with none (:mod:`skins.analysis.awareness`), every condition held fixed
unless pooled; the two groups are different runs, so the tests are unpaired (Fisher's exact), and the
difference is an association, not an effect of awareness."""

from __future__ import annotations

__all__ = ["register"]

from pathlib import Path
from typing import Annotated

import typer

from skins.analysis import compare as compare_outcomes
from skins.analysis import run_outcomes
from skins.analysis.report import Analyzed, load_analyzed
from skins.analysis.stats import RunOutcome, check_factor, comparison_fields, split_pool, trend, with_awareness
from skins.cli.common import friendly, out
from skins.cli.model_options import capability_scores
from skins.cli.stat_tables import print_comparison, print_trends
from skins.core import ConfigError


def register(app: typer.Typer) -> None:
    app.command("compare")(friendly(compare))


def compare(
    run_dir: Annotated[Path, typer.Argument(help="A folder holding runs of several conditions.")],
    by: Annotated[
        str,
        typer.Option(
            help="Factor: world, variant, ablation, models, model:ROLE, skin or model (the deceiver's); or aware: "
            "runs with a turn marked evaluation-aware against runs without (unpaired; an association, not a cause)."
        ),
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
    order: Annotated[
        str | None,
        typer.Option(help="Capability ladder, least capable first (m1,m2,m3): test each rate's trend along it."),
    ] = None,
    models_file: Annotated[
        Path | None, typer.Option("--models", help="models.yaml whose capability: scores order the models.")
    ] = None,
) -> None:
    """Differences between conditions, with intervals, exact tests and p-values adjusted for many comparisons;
    with --order (or capability scores in --models), the trend of each rate along a capability ladder."""
    factor, pooled_factors, pooled_fields = _options(by, pool, alpha, interval)
    scores = capability_scores(order, models_file)
    loaded = load_analyzed(run_dir, stored=stored)
    outcomes = run_outcomes(loaded.analyzed, by=comparison_fields(factor, pooled_fields))
    if factor == "aware":
        outcomes = _aware_outcomes(outcomes, loaded)
    if scores is not None:
        try:
            trends = trend(outcomes, factor, scores, pool=pooled_factors)
        except ValueError as exc:
            raise ConfigError(f"--by {by}: {exc}") from None
        print_trends(trends, factor, alpha, [*pooled_factors, *pooled_fields])
        return
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
    print_comparison(rows, factor, alpha, [*pooled_factors, *pooled_fields])


def _aware_outcomes(outcomes: list[RunOutcome], loaded: Analyzed) -> list[RunOutcome]:
    """The outcomes of the runs analysed for awareness, with the covariate set; says how many were not."""
    marked = with_awareness(outcomes, {run_id: bool(marks) for run_id, marks in loaded.awareness.items()})
    known = [o for o in marked if o.aware is not None]
    missing = {t.run_id for t, _ in loaded.analyzed} - set(loaded.awareness)
    if missing and not loaded.awareness:
        raise ConfigError(
            "--by aware: no run of this folder was analysed for evaluation awareness; run `skins analyze` on it "
            "(or compare without --stored)"
        )
    if missing:
        out().print(f"{len(missing)} run(s) not analysed for awareness are left out (`skins analyze` them).")
    aware_runs = sum(1 for marks in loaded.awareness.values() if marks)
    out().print(
        f"Awareness: {aware_runs} of {len(loaded.awareness)} analysed run(s) have a turn marked evaluation-aware. "
        "Aware and unaware runs are different runs: unpaired tests, an association, not an effect.",
        markup=False,
    )
    return known


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
