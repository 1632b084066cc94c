"""Drawing the deception graph to a PNG (needs the optional ``matplotlib``; graph.py imports it).

Uses matplotlib's object API with the Agg canvas, never ``pyplot``, so
drawing neither needs a display nor touches global figure state.
"""

from __future__ import annotations

__all__ = ["draw_deception_graph"]

from collections import Counter
from pathlib import Path

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from skins.analysis.findings import TYPE_COLOURS

CAUGHT_WIDTH = 3.5
"""Line width of an arrow with findings an overseer's verdict accused (others: 1)."""


def draw_deception_graph(G: nx.MultiDiGraph, path: Path) -> Path:
    """Nodes labelled role/persona; one arrow per (deceiver, target, type) with its count. An arrow some of
    whose findings an overseer's verdict accused (edge attribute ``accused_by``) is drawn thick, its label
    saying how many were caught."""
    fig = Figure(figsize=(9, 7))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_axis_off()
    pos = nx.circular_layout(sorted(G.nodes)) if len(G) else {}
    labels = {n: f"{d.get('role', n)}\n{d.get('persona', '')}" for n, d in G.nodes(data=True)}
    nx.draw_networkx_nodes(G, pos, ax=ax, node_color="#dbe9f6", node_size=2200)
    nx.draw_networkx_labels(G, pos, labels=labels, ax=ax, font_size=8)
    counts = Counter((u, v, str(d.get("type", ""))) for u, v, d in G.edges(data=True))
    caught = Counter((u, v, str(d.get("type", ""))) for u, v, d in G.edges(data=True) if d.get("accused_by"))
    types = sorted({t for _, _, t in counts})
    for i, kind in enumerate(types):
        _draw_type(
            ax,
            pos,
            kind,
            {(u, v): (n, caught[(u, v, t)]) for (u, v, t), n in counts.items() if t == kind},
            0.1 + 0.12 * i,
        )
    handles = [Line2D([0], [0], color=TYPE_COLOURS.get(t, "black"), label=t) for t in types]
    if caught:
        handles.append(Line2D([0], [0], color="black", linewidth=CAUGHT_WIDTH, label="accused by an overseer"))
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.set_title(f"Deception graph ({G.graph.get('n_runs', 0)} runs)")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def _draw_type(
    ax: object, pos: dict[str, object], kind: str, counts: dict[tuple[str, str], tuple[int, int]], rad: float
) -> None:
    """One type's arrows; ``counts``: (deceiver, target) -> (findings, findings an overseer accused)."""
    H = nx.DiGraph()
    H.add_nodes_from(pos)
    H.add_edges_from(counts)
    widths = [CAUGHT_WIDTH if counts[e][1] else 1.0 for e in H.edges]
    style = f"arc3,rad={rad:.2f}"
    colour = TYPE_COLOURS.get(kind, "black")
    nx.draw_networkx_edges(
        H,
        pos,
        ax=ax,
        edge_color=colour,
        width=widths,
        arrows=True,
        connectionstyle=style,
        node_size=2200,
        arrowsize=14,
    )
    labels = {e: f"{kind} ×{n}" + (f", {k} caught" if k else "") for e, (n, k) in counts.items()}
    nx.draw_networkx_edge_labels(
        H, pos, edge_labels=labels, ax=ax, font_size=7, font_color=colour, connectionstyle=style
    )
