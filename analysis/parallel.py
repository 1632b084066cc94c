"""Analyse a folder's runs in worker processes: the same findings as serially, in the same order.

Chunks of run ids go to a process pool; each worker opens the store
read-only, reads its chunk with one query per table, analyses it and sends
back each run's findings with their store rows already serialised. Only the
parent writes, one transaction per chunk. Results come back in run order
(a few chunks in flight at once), so the output equals the serial one.
"""

from __future__ import annotations

__all__ = ["RunResult", "analyze_folder_parallel"]

import multiprocessing
import sqlite3
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from analysis.claims import Claim, ClaimExtractor
from analysis.findings import Finding
from analysis.stats import AblationRow
from analysis.storeio import FindingRow, StoredRun, connect, finished_runs, read_transcripts, world_of, write_findings
from simulation.store import Store
from worlds.records import Transcript

if TYPE_CHECKING:
    from analysis.pipeline import FindingPass

CHUNK_SIZE = 50
"""Runs per task sent to a worker."""
IN_FLIGHT = 3
"""Tasks queued per worker (keeps every worker busy without holding many results)."""
_NO_RECORDS: dict[str, list[object]] = {"turns": [], "messages": [], "actions": [], "knowledge": [], "fact_changes": []}


class RunResult(NamedTuple):
    """What a worker sends back about one run."""

    transcript: Transcript
    """The run's transcript (without its records unless they were asked for)."""
    findings: list[Finding]
    rows: list[FindingRow]
    """The findings as store rows (serialised in the worker)."""
    claims: list[Claim]
    """The run's claims, when asked for (else empty)."""


class _Task(NamedTuple):
    folder: Path
    runs: list[StoredRun]
    extractors: tuple[str, ...]
    detectors: tuple[str, ...]
    custom: Mapping[str, ClaimExtractor] | None
    ablations: list[AblationRow]
    keep_records: bool
    want_claims: bool


_READERS: dict[Path, sqlite3.Connection] = {}
"""Each worker's read-only connection per store (opened on its first task)."""


def _analyze_chunk(task: _Task) -> list[RunResult]:
    from analysis.pipeline import analyze_run, finding_rows

    reader = _READERS.get(task.folder)
    if reader is None:
        reader = _READERS[task.folder] = connect(task.folder)
    out: list[RunResult] = []
    for run, transcript in zip(task.runs, read_transcripts(reader, task.runs), strict=True):
        claims: list[Claim] = []
        findings = analyze_run(
            transcript,
            world_of(reader, run),
            task.ablations,
            task.extractors,
            task.detectors,
            task.custom,
            claims if task.want_claims else None,
        )
        kept = transcript if task.keep_records else transcript.model_copy(update=_NO_RECORDS)
        out.append(RunResult(kept, findings, finding_rows(findings), claims))
    return out


def analyze_folder_parallel(
    folder: Path,
    workers: int,
    extractors: Sequence[str] = ("lexical",),
    detectors: Sequence[str] | None = None,
    custom: Mapping[str, ClaimExtractor] | None = None,
    claims_out: list[Claim] | None = None,
    passes: Sequence[FindingPass] = (),
    keep_records: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[tuple[Transcript, list[Finding]]]:
    """Yield (transcript, findings) per finished run, as :func:`analysis.pipeline.analyze_folder` does.

    The transcripts come back without their records (ids, seed, roles and
    ablations only) unless ``keep_records``: sending every record between
    processes costs more than analysing it. ``custom`` extractors must be
    picklable; ``passes`` (judges) are not supported here: run them serially.
    """
    from analysis.detectors import DEFAULT_DETECTORS

    if passes:
        raise ValueError("finding passes (judges) cannot run in worker processes: analyse with workers=1")
    folder = Path(folder)
    with Store(folder, create=False) as store:  # checks the store and its schema version
        ablations = [AblationRow.model_validate_json(js) for js in store.ablations()]
    reader = connect(folder)
    try:
        runs = finished_runs(reader)
    finally:
        reader.close()
    tasks = (
        _Task(
            folder,
            runs[i : i + chunk_size],
            tuple(extractors),
            tuple(DEFAULT_DETECTORS if detectors is None else detectors),
            custom,
            ablations,
            keep_records,
            claims_out is not None,
        )
        for i in range(0, len(runs), chunk_size)
    )
    yield from _run_pool(folder, workers, tasks, claims_out)


def _run_pool(
    folder: Path, workers: int, tasks: Iterator[_Task], claims_out: list[Claim] | None
) -> Iterator[tuple[Transcript, list[Finding]]]:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")  # fork: no re-imports
    writer = connect(folder, readonly=False)
    pending: deque[Future[list[RunResult]]] = deque()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for task in tasks:
                pending.append(pool.submit(_analyze_chunk, task))
                if len(pending) >= workers * IN_FLIGHT:
                    yield from _collect(writer, pending.popleft().result(), claims_out)
            while pending:
                yield from _collect(writer, pending.popleft().result(), claims_out)
    finally:
        for future in pending:
            future.cancel()
        writer.close()


def _collect(
    writer: sqlite3.Connection, results: list[RunResult], claims_out: list[Claim] | None
) -> Iterator[tuple[Transcript, list[Finding]]]:
    write_findings(writer, [(r.transcript.run_id, r.rows) for r in results])
    for result in results:
        if claims_out is not None:
            claims_out.extend(result.claims)
        yield result.transcript, result.findings
