"""Analyse every finished run of an output folder from its store (no model is called).

Runs are read, analysed and their findings written a chunk at a time
(:mod:`skins.simulation.store.batch`); ``workers > 1`` analyses chunks in worker processes
(:mod:`skins.analysis.parallel`) with the same findings, in the same order.
"""

from __future__ import annotations

__all__ = ["CHUNK_SIZE", "analyze_folder", "world_of_run"]

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from skins.analysis.analyze import FindingPass, analyze_run, finding_rows
from skins.analysis.claims import Claim, ClaimExtractor
from skins.analysis.detectors import DEFAULT_DETECTORS
from skins.analysis.findings import Finding
from skins.analysis.parallel import analyze_folder_parallel
from skins.analysis.stats import AblationRow
from skins.simulation.store import (
    RunRow,
    Store,
    connect,
    finished_runs,
    read_transcripts,
    world_of,
    write_findings,
)
from skins.worlds import Transcript, WorldSpec
from skins.worlds.library import World

CHUNK_SIZE = 64
"""Runs read, analysed and written together (one query per table, one transaction)."""


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
    passes: Sequence[FindingPass] = (),
    workers: int = 1,
) -> Iterator[tuple[Transcript, list[Finding]]]:
    """Yield (transcript, findings) per finished run, replacing the run's stored findings.

    ``claims_out`` collects every run's claims (for comparing extractors); ``passes`` refine the
    findings further (e.g. :func:`skins.analysis.claims.judge.make_judge_motives`). With ``workers > 1`` the
    runs are analysed in that many processes (:func:`skins.analysis.parallel.analyze_folder_parallel`,
    keeping the transcripts' records): ``custom`` extractors must then be picklable and ``passes``
    are refused (a judge runs serially).
    """
    with Store(Path(folder), create=False) as store:  # checks the store and its schema version
        ablations = [AblationRow.model_validate_json(js) for js in store.ablations()]
    if workers > 1:
        yield from analyze_folder_parallel(
            folder, workers, extractors, detectors, custom, claims_out, passes, keep_records=True
        )
        return
    reader, writer = connect(folder), connect(folder, readonly=False)
    try:
        runs = finished_runs(reader)
        for start in range(0, len(runs), CHUNK_SIZE):
            chunk = runs[start : start + CHUNK_SIZE]
            done: list[tuple[Transcript, list[Finding]]] = []
            for run, transcript in zip(chunk, read_transcripts(reader, chunk), strict=True):
                world = world_of(reader, run)
                findings = analyze_run(transcript, world, ablations, extractors, detectors, custom, claims_out, passes)
                done.append((transcript, findings))
            write_findings(writer, [(t.run_id, finding_rows(fs)) for t, fs in done])
            yield from done
    finally:
        reader.close()
        writer.close()
