"""Analyse every finished run of an output folder from its store (no model is called)."""

from __future__ import annotations

__all__ = ["analyze_folder", "world_of_run"]

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from analysis.analyze import analyze_transcript
from analysis.claims import Claim, ClaimExtractor
from analysis.counterfactual import attach_counterfactual
from analysis.detectors import DEFAULT_DETECTORS
from analysis.findings import Finding
from analysis.stats import AblationRow
from simulation.store import RunRow, Store
from worlds.library import World
from worlds.records import Transcript
from worlds.spec import WorldSpec


def world_of_run(run: RunRow) -> WorldSpec:
    """The world exactly as the run used it (stored with the run, ablations applied)."""
    world = World.model_validate(run.spec["world"])
    return world.spec.without_incentives(run.ablated) if run.ablated else world.spec


def analyze_folder(
    folder: Path,
    extractors: Sequence[str] = ("lexical",),
    detectors: Sequence[str] = DEFAULT_DETECTORS,
    custom: Mapping[str, ClaimExtractor] | None = None,
    claims_out: list[Claim] | None = None,
    passes: Sequence[Callable[[list[Finding], Transcript, WorldSpec], list[Finding]]] = (),
) -> Iterator[tuple[Transcript, list[Finding]]]:
    """Yield (transcript, findings) per finished run, replacing the run's stored findings.

    ``claims_out`` collects every run's claims (for comparing extractors); ``passes`` refine the
    findings further (e.g. :func:`analysis.judge.make_judge_motives`).
    """
    with Store(Path(folder), create=False) as store:
        ablations = [AblationRow.model_validate_json(js) for js in store.ablations()]
        for run in store.runs():
            if run.status != "done":
                continue
            transcript = store.transcript(run.run_id)
            analysis = analyze_transcript(transcript, world_of_run(run), extractors, detectors, custom)
            if claims_out is not None:
                claims_out.extend(analysis.claims)
            findings = attach_counterfactual(analysis.findings, transcript, ablations)
            for extra in passes:  # e.g. judged motives
                findings = extra(findings, transcript, world_of_run(run))
            store.replace_findings(
                run.run_id,
                [
                    (f.finding_id, f.type, f.deceptive, f.deceiver, f.subject, f.turn, f.model_dump_json())
                    for f in findings
                ],
            )
            yield transcript, findings
