"""The capability ladder as a PNG: each stratum's rate against its levels' scores, with Wilson intervals
and the fitted trend (needs the optional ``matplotlib``, the ``plot`` extra).

Import this module only inside a ``try``, as :mod:`skins.analysis.report.plots`: it imports matplotlib
at the top, and a caller without it shows a note instead. matplotlib's object API with the Agg canvas,
never ``pyplot``.
"""

from __future__ import annotations

__all__ = ["MAX_PANELS", "render_trend_plot"]

import math
import textwrap
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from skins.analysis.report.plots import png_bytes
from skins.analysis.stats import TrendRow

MAX_PANELS = 24
"""Most strata drawn; beyond, those with the smallest p-values (the figure says so)."""
_COLUMNS = 3
_FOUND = "#d62728"
_NOT_FOUND = "#555555"


def render_trend_plot(rows: Sequence[TrendRow], alpha: float = 0.05) -> bytes | None:
    """One panel per row (stratum and type): each level's rate with its interval at its score, the
    least-squares trend line and the test; red when the Holm-adjusted p is below ``alpha``. None if no rows."""
    if not rows:
        return None
    shown = _chosen(rows)
    varying = _varying_fields(rows)
    columns = min(_COLUMNS, len(shown))
    lines = math.ceil(len(shown) / columns)
    fig = Figure(figsize=(4.2 * columns, 0.9 + 3.3 * lines))
    FigureCanvasAgg(fig)
    for i, row in enumerate(shown):
        ax = fig.add_subplot(lines, columns, i + 1)
        _panel(ax, row, varying, alpha)
    fig.suptitle(_caption(rows, shown, varying, alpha), fontsize=9)
    fig.tight_layout(rect=(0.0, 0.0, 1.0, _title_room(lines)))
    return png_bytes(fig)


def _chosen(rows: Sequence[TrendRow]) -> list[TrendRow]:
    """Every row, or the :data:`MAX_PANELS` with the smallest p-values, in their original order."""
    if len(rows) <= MAX_PANELS:
        return list(rows)
    keep = set(sorted(range(len(rows)), key=lambda i: rows[i].p_value)[:MAX_PANELS])
    return [r for i, r in enumerate(rows) if i in keep]


def _varying_fields(rows: Sequence[TrendRow]) -> list[str]:
    """Stratum fields whose value differs between rows (the panel titles); the type always."""
    fields = list(rows[0].stratum)
    varying = [f for f in fields if len({r.stratum.get(f) for r in rows}) > 1]
    return varying or [f for f in fields if f == "type"] or fields[-1:]


def _panel(ax: Axes, row: TrendRow, varying: list[str], alpha: float) -> None:
    colour = _FOUND if row.p_holm < alpha else _NOT_FOUND
    scores = [lv.score for lv in row.levels]
    for lv in row.levels:
        r = lv.rate
        ax.errorbar(
            lv.score, r.estimate, yerr=[[r.estimate - r.low], [r.high - r.estimate]], fmt="o", color=colour, capsize=3
        )
    n = sum(lv.n_runs for lv in row.levels)
    mean_score = sum(lv.score * lv.n_runs for lv in row.levels) / n
    mean_rate = row.k_runs / n
    ends = [min(scores), max(scores)]
    ax.plot(ends, [mean_rate + row.slope.estimate * (s - mean_score) for s in ends], "--", color=colour, linewidth=1)
    ticks = [f"{lv.level}\n({lv.score:g})\n{lv.k_runs}/{lv.n_runs}" for lv in row.levels]
    crowded = len(ticks) > 3
    ax.set_xticks(scores, ticks, fontsize=7, rotation=25 if crowded else 0, ha="right" if crowded else "center")
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel("share of runs with the finding", fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    slope = row.slope
    stats = (
        f"slope {slope.estimate:+.3f} [{slope.low:+.3f}, {slope.high:+.3f}]/unit; "
        f"p {row.p_value:.2g} ({row.test}), Holm {row.p_holm:.2g}"
    )
    ax.set_title(" · ".join(row.stratum.get(f, "") for f in varying) + "\n" + stats, fontsize=7.5, color=colour)


def _caption(rows: Sequence[TrendRow], shown: Sequence[TrendRow], varying: list[str], alpha: float) -> str:
    first = rows[0]
    fixed = ", ".join(f"{f}={v}" for f, v in first.stratum.items() if f not in varying)
    head = (
        f"Rate of runs with a finding against the {first.comparison} score (Wilson intervals; dashed: "
        f"least-squares trend; red: Holm p < {alpha:g} over {len(rows)} rows)"
    )
    if len(shown) < len(rows):
        head += f"; the {len(shown)} rows with the smallest p of {len(rows)}"
    return "\n".join([head, *textwrap.wrap(f"held fixed: {fixed}", 150)] if fixed else [head])


def _title_room(lines: int) -> float:
    """Share of the figure's height left to the panels under a three-line title."""
    return 1.0 - 0.55 / (0.9 + 3.3 * lines)
