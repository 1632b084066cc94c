"""CLI ``skins oversight``: overseers' accuracy, the same by monitoring level, and confession rates."""

from __future__ import annotations

__all__ = ["oversight", "register"]

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from skins.analysis.report import Table, load_analyzed
from skins.analysis.report.oversight import oversight_tables
from skins.analysis.stats import oversight_pairs
from skins.cli.common import friendly, out


def register(app: typer.Typer) -> None:
    app.command("oversight")(friendly(oversight))


def oversight(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `skins run` or `skins sweep`.")],
    stored: Annotated[
        bool,
        typer.Option(
            "--stored",
            help="Use the findings stored by the last `skins analyze` (e.g. with a judge) instead of re-analysing.",
        ),
    ] = False,
) -> None:
    """Overseers' verdicts against ground truth: precision, caught (recall), false accusations and time to
    detection per condition and overseer, the same by monitoring level, and confession and false confession
    rates per base model and skin (95% Wilson intervals; never pooled across conditions)."""
    loaded = load_analyzed(run_dir, stored)
    pairs = oversight_pairs(loaded.analyzed, loaded.worlds)
    if not pairs.verdicts and not pairs.questioned:
        out().print(
            f"No verdicts and no questioned pairs in {run_dir}: no run's world has an overseer that interrogates "
            "(oversight: interrogation) or asks the roles it watches about what they did or knew.",
            markup=False,
        )
        return
    for table in oversight_tables(pairs):
        if table.rows:
            out().print(_rich(table))
            out().print(table.note, markup=False, style="dim")
        else:
            out().print(f"{table.title}: none.", markup=False)


def _rich(table: Table) -> RichTable:
    rich = RichTable(title=table.title)
    for column in table.columns:
        rich.add_column(column, overflow="fold")
    for row in table.rows:
        rich.add_row(*row)
    return rich
