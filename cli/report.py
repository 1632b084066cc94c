"""CLI for the HTML report: ``skins report DIR -o report.html``."""

from __future__ import annotations

__all__ = ["register"]

import time
from pathlib import Path
from typing import Annotated

import typer

from skins.analysis.report import write_report
from skins.cli.common import friendly, out
from skins.cli.model_options import capability_scores
from skins.cli.outputs import Force


def register(app: typer.Typer) -> None:
    app.command("report")(friendly(report))


def report(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `skins run`, `skins ablate` or `skins sweep`.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The HTML file to write (default DIR/report.html).")
    ] = None,
    stored: Annotated[
        bool,
        typer.Option(
            "--stored",
            help="Use the findings stored by the last `skins analyze` (e.g. with a judge) instead of re-analysing.",
        ),
    ] = False,
    title: Annotated[str | None, typer.Option(help="The page title.")] = None,
    order: Annotated[
        str | None, typer.Option(help="Capability ladder of base models, least capable first (m1,m2,m3).")
    ] = None,
    models_file: Annotated[
        Path | None, typer.Option("--models", help="models.yaml whose capability: scores order the base models.")
    ] = None,
    force: Force = False,
) -> None:
    """Write one self-contained HTML report: interactive deception graph, findings with their transcripts,
    rates with intervals, ablations, caught rates, invalid turns and failed runs, and plots (PNG beside it);
    with --order or capability scores, the rate along the capability ladder."""
    started = time.perf_counter()
    target = output if output is not None else run_dir / "report.html"
    scores = capability_scores(order, models_file)
    files = write_report(run_dir, target, stored=stored, title=title, capability=scores, force=force)
    size = files.html.stat().st_size / 1e6
    seconds = time.perf_counter() - started
    out().print(
        f"wrote {files.html} ({size:.1f} MB, {files.runs} runs, {files.findings} findings, {seconds:.1f} s)",
        markup=False,
    )
    for plot in files.plots:
        out().print(f"wrote {plot}", markup=False)
    for note in files.notes:
        out().print(note, markup=False)
