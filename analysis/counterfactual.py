"""Counterfactual motives: an incentive whose ablation significantly lowers an edge's rate caused it.

`skins ablate` stores each edge's ablation effect with the run store; every
later analysis of that folder attaches a ``counterfactual`` motive to the
findings on that edge (in the runs that had the incentive), with the effect
size and its interval, so the graph edge carries structural, reasoning and
counterfactual motives together.
"""

from __future__ import annotations

__all__ = ["attach_counterfactual", "edge_key", "save_ablation"]

from collections.abc import Sequence
from pathlib import Path

from skins.analysis.findings import Finding, Motive
from skins.analysis.stats import AblationRow, condition_of
from skins.simulation.store import Store
from skins.worlds import Transcript

KEY_FIELDS = ("deceiver_role", "target_role", "type", "subject")
"""What an ablation effect is keyed by: one edge of the deception graph."""


def edge_key(finding: Finding, target: str) -> dict[str, str]:
    return {"deceiver_role": finding.deceiver, "target_role": target, "type": finding.type, "subject": finding.subject}


def save_ablation(folder: Path, rows: Sequence[AblationRow]) -> None:
    """Store the effects of one ablation with the folder's runs."""
    if not rows:
        return
    with Store(folder, create=False) as store:
        store.save_ablation(rows[0].incentive, [({**r.condition, **r.key}, r.model_dump_json()) for r in rows])


def attach_counterfactual(
    findings: Sequence[Finding], transcript: Transcript, rows: Sequence[AblationRow]
) -> list[Finding]:
    """New findings with a counterfactual motive for each causal ablation of an incentive the run had."""
    run = condition_of(transcript.world_id, transcript.ablated, {r: i.base_model for r, i in transcript.roles.items()})
    causal = {
        (r.incentive, tuple(sorted(r.key.items()))): r
        for r in rows
        if r.causal and all(run.get(f) == v for f, v in r.condition.items() if f != "ablation")
    }
    if not causal:  # no ablation changed a rate in this run's world, variant and models: nothing to attach
        return list(findings)
    out = []
    for f in findings:
        motives = list(f.motives)
        for target in f.targets:
            key = tuple(sorted(edge_key(f, target).items()))
            for (incentive, k), row in causal.items():
                if (
                    k == key
                    and incentive not in transcript.ablated
                    and all(m.incentive != incentive or m.how != "counterfactual" for m in motives)
                ):
                    motives.append(_motive(row))
        out.append(f.model_copy(update={"motives": motives}) if len(motives) != len(f.motives) else f)
    return out


def _motive(row: AblationRow) -> Motive:
    return Motive(
        incentive=row.incentive,
        how="counterfactual",
        quote=(
            f"removing it changes the rate by {row.difference.estimate:+.2f} "
            f"[{row.difference.low:+.2f}, {row.difference.high:+.2f}] "
            f"(p={row.p_value:.3g}, {row.n_pairs or row.n_a} runs)"
        ),
        confidence=max(0.0, min(1.0, 1.0 - row.p_value)),
    )
