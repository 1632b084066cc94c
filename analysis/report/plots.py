"""The report's static figures as PNG bytes (needs the optional ``matplotlib``, the ``plot`` extra).

Import this module only inside a ``try``: it imports matplotlib at the top.
matplotlib's object API with the Agg canvas, never ``pyplot`` (no display, no
global figure state), as in :mod:`skins.analysis.graph.plot`.
"""

from __future__ import annotations

__all__ = ["render_ablation_plot", "render_heatmap"]

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from skins.analysis.stats import AblationRow, RateRow


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def render_heatmap(rows: Sequence[RateRow]) -> bytes | None:
    """Rate of runs with any deception per deceiver skin (rows) and base model (columns); None if empty."""
    if not rows:
        return None
    skins = sorted({r.key["deceiver_skin"] for r in rows})
    models = sorted({r.key["deceiver_model"] for r in rows})
    cells = {(r.key["deceiver_skin"], r.key["deceiver_model"]): r for r in rows}
    grid = [[cells[s, m].rate.estimate if (s, m) in cells else float("nan") for m in models] for s in skins]
    fig = Figure(figsize=(1.8 + 1.6 * len(models), 1.2 + 0.55 * len(skins)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    image = ax.imshow(grid, cmap="Reds", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(models)), models, rotation=30, ha="right")
    ax.set_yticks(range(len(skins)), skins)
    for y, skin in enumerate(skins):
        for x, model in enumerate(models):
            row = cells.get((skin, model))
            if row is not None:
                text = f"{row.rate.estimate:.2f}\n[{row.rate.low:.2f}, {row.rate.high:.2f}]\nn={row.n_runs}"
                colour = "white" if row.rate.estimate > 0.6 else "black"
                ax.text(x, y, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("base model")
    ax.set_ylabel("deceiver skin")
    ax.set_title("Runs with any deception, per skin × base model (95% Wilson)", fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.04)
    return _png(fig)


def render_ablation_plot(rows: Sequence[AblationRow]) -> bytes | None:
    """Each edge's change in rate when an incentive is removed, with its interval; None if none."""
    if not rows:
        return None
    labels = [
        f"−{r.incentive}: {r.key['deceiver_role']}→{r.key['target_role']} {r.key['type']} ({r.key['subject']})"
        for r in rows
    ]
    fig = Figure(figsize=(8, 1.0 + 0.35 * len(rows)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ys = list(range(len(rows)))[::-1]
    for y, r in zip(ys, rows, strict=True):
        colour = "#d62728" if r.causal else "#555555"
        d = r.difference
        ax.errorbar(d.estimate, y, xerr=[[d.estimate - d.low], [d.high - d.estimate]], fmt="o", color=colour, capsize=3)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(ys, labels, fontsize=7)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("change in rate without the incentive (95% CI); red = causal")
    ax.set_title("Ablation effects", fontsize=9)
    return _png(fig)
