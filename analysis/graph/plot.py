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


def draw_deception_graph(G: nx.MultiDiGraph, path: Path) -> Path:
    """Nodes labelled role/persona; one arrow per (deceiver, target, type) with its count."""
    fig = Figure(figsize=(9, 7))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_axis_off()
    pos = nx.circular_layout(sorted(G.nodes)) if len(G) else {}
    labels = {n: f"{d.get('role', n)}\n{d.get('persona', '')}" for n, d in G.nodes(data=True)}
    nx.draw_networkx_nodes(G, pos, ax=ax, node_color="#dbe9f6", node_size=2200)
    nx.draw_networkx_labels(G, pos, labels=labels, ax=ax, font_size=8)
    counts = Counter((u, v, str(d.get("type", ""))) for u, v, d in G.edges(data=True))
    types = sorted({t for _, _, t in counts})
    for i, kind in enumerate(types):
        _draw_type(
            ax,
            pos,
            kind,
            {(u, v): n for (u, v, t), n in counts.items() if t == kind},
            0.1 + 0.12 * i,
        )
    handles = [Line2D([0], [0], color=TYPE_COLOURS.get(t, "black"), label=t) for t in types]
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.set_title(f"Deception graph ({G.graph.get('n_runs', 0)} runs)")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def _draw_type(ax: object, pos: dict[str, object], kind: str, counts: dict[tuple[str, str], int], rad: float) -> None:
    H = nx.DiGraph()
    H.add_nodes_from(pos)
    H.add_edges_from(counts)
    style = f"arc3,rad={rad:.2f}"
    colour = TYPE_COLOURS.get(kind, "black")
    nx.draw_networkx_edges(
        H,
        pos,
        ax=ax,
        edge_color=colour,
        arrows=True,
        connectionstyle=style,
        node_size=2200,
        arrowsize=14,
    )
    labels = {e: f"{kind} ×{n}" for e, n in counts.items()}
    nx.draw_networkx_edge_labels(
        H, pos, edge_labels=labels, ax=ax, font_size=7, font_color=colour, connectionstyle=style
    )
