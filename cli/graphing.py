"""The who-deceived-whom table and the graph files, as `skins run`, `graph`, `analyze` and `ablate` show them."""

from __future__ import annotations

__all__ = ["Analyzed", "node_labels", "show_deception_graph", "show_exclusions"]

from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

import networkx as nx
from rich.table import Table

from skins.analysis import (
    Claim,
    Finding,
    analyze_folder,
    build_deception_graph,
    check_intent,
    deception_table,
    exclusion_counts,
    render_exclusions,
    screen_transcript,
    write_graph_files,
)
from skins.analysis.stats import condition_name
from skins.cli.common import out
from skins.worlds import Transcript

Analyzed: TypeAlias = list[tuple[Transcript, list[Finding]]]
"""Analysed runs: each stored transcript with its findings, as :func:`skins.analysis.analyze_folder` yields them."""


def show_deception_graph(
    run_dir: Path,
    include_non_deceptive: bool,
    analyzed: Analyzed | None = None,
    claims: Sequence[Claim] = (),
) -> Analyzed:
    """Print the who-deceived-whom table, what was excluded from it and how well the offline extractor's
    ``claims`` read the runs' policy messages (:func:`skins.analysis.check_intent`), and write the graph
    files; returns the analysed runs (analysed here, with their claims, when not given)."""
    if analyzed is None:
        read: list[Claim] = []
        analyzed = list(analyze_folder(run_dir, claims_out=read))
        claims = read
    g = build_deception_graph(analyzed, include_non_deceptive=include_non_deceptive)
    rows = deception_table(g)
    table = Table(title=f"Who deceived whom — {g.graph.get('n_runs', 0)} run(s) in {run_dir}")
    for col in ("deceiver", "target", "type", "about", "count", "runs", "motives"):
        table.add_column(col, overflow="fold")
    label = node_labels(g)
    for row in rows:
        runs = f"{row.runs_with}/{row.n_runs}"
        table.add_row(label[row.deceiver], label[row.target], row.type, row.subject, str(row.count), runs, row.motives)
    out().print(table)
    if not rows:
        out().print("No deception found.")
    ablations = sorted({condition_name(t.ablated) for t, _ in analyzed})
    if rows and len(ablations) > 1:
        out().print(
            f"The runs column pools the folder's ablations ({', '.join(ablations)}); "
            "per condition: `skins analyze`, `skins compare --by ablation`.",
            markup=False,
        )
    if checked := check_intent((t for t, _ in analyzed), claims).render():
        out().print(checked, markup=False)
    show_exclusions(analyzed)
    written = write_graph_files(g, run_dir)
    out().print("wrote " + ", ".join(str(p) for p in written))
    if not any(p.suffix == ".png" for p in written):
        out().print("graph.png skipped: install the plot extra with pip install 'skins[plot]'")
    return analyzed


def show_exclusions(analyzed: Analyzed) -> None:
    """Print how many turns and messages the screen excluded, and why (nothing when none was)."""
    line = render_exclusions(exclusion_counts(e for transcript, _ in analyzed for e in screen_transcript(transcript)))
    if line:
        out().print(line, markup=False, highlight=False)


def node_labels(g: nx.MultiDiGraph) -> dict[str, str]:
    """'dana (sales_rep)', prefixed by the world and suffixed by the base model only when they vary."""
    nodes = dict(g.nodes(data=True))
    many_worlds = len({d.get("world") for d in nodes.values()}) > 1
    many_models = len({d.get("base_model") for d in nodes.values()}) > 1
    labels = {}
    for key, d in nodes.items():
        text = f"{d.get('role')} ({d.get('persona')})"
        text = f"{d.get('world')}/{text}" if many_worlds else text
        labels[key] = f"{text} @{d.get('base_model')}" if many_models else text
    return labels
