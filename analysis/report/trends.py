"""The report's capability ladder: each deception type's rate along the base models' capability scores
(``skins report --order`` or ``capability:`` in models.yaml), as a table; the plot is :mod:`.trend_plot`."""

from __future__ import annotations

__all__ = ["capability_trends", "trend_table"]

from collections.abc import Mapping, Sequence

from skins.analysis.findings import Finding
from skins.analysis.report.model import Table
from skins.analysis.stats import TrendRow, comparison_fields, run_outcomes, trend
from skins.core import ConfigError
from skins.worlds import Transcript

_FIELDS = {"deceiver_skin": "deceiver skin", "target_role": "target", "type": "type"}


def capability_trends(
    analyzed: Sequence[tuple[Transcript, list[Finding]]], capability: Mapping[str, float]
) -> list[TrendRow]:
    """Per condition, deceiver skin, target and type: the trend of the rate along the deceiver's base
    model's capability (every model in the runs needs a score: a ConfigError lists the missing ones)."""
    try:
        return trend(run_outcomes(analyzed, by=comparison_fields("model")), "model", capability)
    except ValueError as exc:
        raise ConfigError(f"capability ladder: {exc}") from None


def trend_table(rows: Sequence[TrendRow]) -> Table:
    """The trend rows as the report shows them, Holm- and BH-adjusted over the table."""
    conditions = ("world", "variant", "ablation", "models")
    body = []
    for r in rows:
        body.append(
            [
                *(r.stratum.get(f, "") for f in conditions),
                *(r.stratum.get(f, "") for f in _FIELDS),
                r.render_levels(),
                r.render_slope(),
                f"{r.p_value:.3g} ({r.test})",
                f"{r.p_holm:.3g}",
                f"{r.p_bh:.3g}",
            ]
        )
    return Table(
        id="capability_trend",
        title="Rate along the capability ladder",
        note=(
            "Runs with ≥1 finding per base model of the deceiver (capability score in brackets), per condition; "
            "the slope is the change in rate per unit of score (Wald 95% CI); Cochran–Armitage trend test, "
            f"p adjusted by Holm and Benjamini–Hochberg over the {len(body)} rows (the family)."
        ),
        columns=[
            "world",
            "variant",
            "ablated",
            "other models",
            *_FIELDS.values(),
            "runs with ≥1 / runs per model",
            "slope",
            "p",
            "p Holm",
            "p BH",
        ],
        rows=body,
    )
