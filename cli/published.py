"""CLI ``skins published``: each world's published numbers beside the same measure over stored runs."""

from __future__ import annotations

__all__ = ["published", "register"]

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from skins.analysis import analyze_folder, published_table, worlds_of
from skins.analysis.published import PublishedRow
from skins.cli.common import friendly, out
from skins.simulation.store import Store


def register(app: typer.Typer) -> None:
    app.command("published")(friendly(published))


def published(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `skins run` or `skins sweep`.")],
) -> None:
    """This sweep vs the paper: rates (95% Wilson) or mean scores (bootstrap) per condition and base model;
    offline policy baselines (no language model) in a table of their own."""
    analyzed = list(analyze_folder(run_dir))
    with Store(run_dir, create=False) as store:
        worlds = worlds_of(store.runs())
    rows = published_table(analyzed, worlds)
    models = [r for r in rows if not r.baseline]
    baselines = [r for r in rows if r.baseline]
    if models or not baselines:
        out().print(_table(f"This sweep vs the paper — {run_dir}", models))
    if baselines:
        out().print(_table(f"Offline policy baselines vs the paper — {run_dir}", baselines))
        out().print(
            "Policy baselines act on the incentives alone, without a language model: they show what the setting "
            "lets a mind do, not a model's propensity; not comparable with the paper's models.",
            markup=False,
        )
    if not rows:
        out().print("None of these worlds records published numbers (reference.published in its YAML).")
    elif any(r.note for r in rows):
        out().print("* see `skins worlds show WORLD` for the note on this number")


def _table(title: str, rows: Sequence[PublishedRow]) -> Table:
    table = Table(title=title)
    for col in (
        "world",
        "condition",
        "behaviour",
        "paper: model",
        "paper",
        "ours: base model",
        "mind",
        "runs",
        "ours [95% CI]",
    ):
        table.add_column(col, overflow="fold")
    for r in rows:
        ours = f"{r.ours.estimate:.0%} [{r.ours.low:.0%}, {r.ours.high:.0%}]" if r.ours else "no runs"
        paper = f"{r.paper_value:.0%}" + (" *" if r.note else "")
        table.add_row(
            r.world, r.condition, r.label, r.paper_model, paper, r.base_model or "-", r.mind, str(r.runs), ours
        )
    return table
