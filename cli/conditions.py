"""The run-outcome fields ``skins compare`` and ``skins ablate`` group by (the factors held fixed).

Not CLI logic: the statistics layer (skins.analysis.stats, which defines the outcome fields) should own
these groupings; they live here until they move (listed for the lead).
"""

from __future__ import annotations

__all__ = ["EDGE_FIELDS", "comparison_fields"]

from typing import Literal

EDGE_FIELDS = ("deceiver_role", "target_role", "type", "subject")
"""One deception-graph edge kind: who deceived whom, how, about what."""


def comparison_fields(by: Literal["skin", "model", "ablation"]) -> tuple[str, ...]:
    """Outcome fields for comparing skins, base models or ablations: the compared factor and what stays fixed."""
    if by == "skin":
        return ("deceiver_skin", "deceiver_model", "target_role", "type")
    if by == "model":
        return ("deceiver_model", "deceiver_skin", "target_role", "type")
    return EDGE_FIELDS
