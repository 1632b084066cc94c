"""The report's static figures as PNG bytes (needs the optional ``matplotlib``, the ``plot`` extra).

Import this module only inside a ``try``: it imports matplotlib at the top.
matplotlib's object API with the Agg canvas, never ``pyplot`` (no display, no
global figure state), as in :mod:`skins.analysis.graph.plot`.
"""

from __future__ import annotations

__all__ = ["png_bytes", "render_ablation_plot", "render_heatmap"]

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from skins.analysis.stats import AblationRow, RateRow, condition_name
from skins.analysis.stats.factors import DEFAULT_VARIANT

_NOTHING_ABLATED = condition_name(())


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (100 dpi, trimmed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _condition_label(world: str, variant: str, ablation: str = _NOTHING_ABLATED) -> str:
    """``world@variant`` (the variant only when not the default), then ``−incentive,...`` when ablated."""
    name = world if variant == DEFAULT_VARIANT else f"{world}@{variant}"
    return name if ablation == _NOTHING_ABLATED else f"{name} −{ablation}"


def render_heatmap(rows: Sequence[RateRow]) -> bytes | None:
    """Rate of runs with any deception per condition and deceiver skin (rows) and base model (columns);
    None if empty. Rows carry the condition (world, variant, ablation): conditions are never pooled."""
    if not rows:
        return None
    cells = {(_condition_of(r), r.key["deceiver_skin"], r.key["deceiver_model"]): r for r in rows}
    lines = sorted({(c, s) for c, s, _ in cells})
    models = sorted({m for _, _, m in cells})
    one = len({c for c, _ in lines}) == 1
    labels = [skin if one else f"{cond} · {skin}" for cond, skin in lines]
    grid = [[cells[c, s, m].rate.estimate if (c, s, m) in cells else float("nan") for m in models] for c, s in lines]
    fig = Figure(figsize=(1.8 + 1.6 * len(models) + (0 if one else 1.5), 1.2 + 0.55 * len(lines)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    image = ax.imshow(grid, cmap="Reds", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(models)), models, rotation=30, ha="right")
    ax.set_yticks(range(len(lines)), labels)
    for y, (cond, skin) in enumerate(lines):
        for x, model in enumerate(models):
            row = cells.get((cond, skin, model))
            if row is not None:
                text = f"{row.rate.estimate:.2f}\n[{row.rate.low:.2f}, {row.rate.high:.2f}]\nn={row.n_runs}"
                colour = "white" if row.rate.estimate > 0.6 else "black"
                ax.text(x, y, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("base model")
    ax.set_ylabel("deceiver skin" if one else "condition · deceiver skin")
    where = f" in {lines[0][0]}" if one else " (one row per condition and skin)"
    ax.set_title(f"Runs with any deception, per skin × base model{where} (95% Wilson)", fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.04)
    return png_bytes(fig)


def _condition_of(row: RateRow) -> str:
    return _condition_label(row.key["world"], row.key["variant"], row.key["ablation"])


def render_ablation_plot(rows: Sequence[AblationRow]) -> bytes | None:
    """Each edge's change in rate when an incentive is removed, with its interval; None if none.

    Labels name the world and variant, and the model assignment when the rows have several."""
    if not rows:
        return None
    many_models = len({r.condition["models"] for r in rows}) > 1
    labels = [
        f"{_ablation_condition(r, many_models)}: −{r.incentive}: {r.key['deceiver_role']}→{r.key['target_role']} "
        f"{r.key['type']} ({r.key['subject']})"
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
    return png_bytes(fig)


def _ablation_condition(row: AblationRow, models: bool) -> str:
    """The condition an ablation row holds fixed, as its label shows it."""
    name = _condition_label(row.condition["world"], row.condition["variant"])
    return f"{name} [{row.condition['models']}]" if models else name
