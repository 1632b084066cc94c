"""``skins export``: the deception graph, the findings/runs/messages/turns tables, or the transcripts, as files."""

from __future__ import annotations

__all__ = ["export", "register"]

from pathlib import Path
from typing import Annotated

import typer

from skins.analysis.exports import export_folder
from skins.cli.common import friendly, out
from skins.cli.outputs import Force


def register(app: typer.Typer) -> None:
    app.command("export")(friendly(export))


def export(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `skins run`, `skins ablate` or a sweep.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="graphml | gexf | json (node-link): the deception graph; parquet | csv: findings, runs, messages "
            "and turns tables (need pip install 'skins\\[data]'); jsonl: one transcript per line; inspect: Inspect AI "
            "eval logs, one per condition (need pip install 'skins\\[inspect]').",
        ),
    ] = "jsonl",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write (graph formats, jsonl) or folder (parquet, csv, inspect); default: "
            "RUN_DIR/graph.<ext>, RUN_DIR/<table>.<ext>, RUN_DIR/transcripts.jsonl or RUN_DIR/inspect-logs.",
        ),
    ] = None,
    mistakes: Annotated[bool, typer.Option(help="Graph formats: also honest mistakes and unfounded claims.")] = False,
    force: Force = False,
) -> None:
    """Export the deception graph, tables of findings/runs/messages/turns, or the transcripts.

    Columns are documented in analysis/exports/tables.py and in the README ("Exports and notebooks").
    """
    written = export_folder(run_dir, fmt, output, include_non_deceptive=mistakes, force=force)
    if fmt == "jsonl":
        with written[0].open(encoding="utf-8") as fh:
            out().print(f"wrote {sum(1 for _ in fh)} transcript(s) to {written[0]}", markup=False)
        return
    if fmt == "inspect":
        out().print(f"wrote {len(written)} Inspect log(s) to {output or run_dir / 'inspect-logs'}", markup=False)
        for path in written:
            out().print(f"  {path.name}", markup=False)
        return
    out().print("wrote " + ", ".join(str(p) for p in written), markup=False)
