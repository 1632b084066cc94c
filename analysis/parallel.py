"""Analyse a folder's runs in worker processes: the same findings as serially, in the same order.

Chunks of run ids go to a process pool; each worker opens the store
read-only, reads its chunk with one query per table, analyses it and sends
back each run's findings with their store rows already serialised. Only the
parent writes, one transaction per chunk. Results come back in run order
(a few chunks in flight at once), so the output equals the serial one.

:func:`summarize_folder` sends back less: per run only what the deception
table, optionally the deception graph, and the outcome table are built from
(:class:`skins.analysis.graph.table.RunTable`, :class:`skins.analysis.graph.build.RunEdges`,
:class:`skins.analysis.stats.outcomes.FindingKey`), so the parent never rebuilds a finding.
"""

from __future__ import annotations

__all__ = ["RunResult", "RunSummary", "analyze_folder_parallel", "summarize_folder"]

import gc
import multiprocessing
import sqlite3
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple, TypeVar

from skins.analysis.analyze import FindingPass, analyze_run, finding_rows
from skins.analysis.claims import Claim, ClaimExtractor
from skins.analysis.detectors import DEFAULT_DETECTORS
from skins.analysis.findings import Finding
from skins.analysis.graph import RunEdges, RunTable, run_edges, run_table
from skins.analysis.stats import AblationRow, FindingKey, finding_key, record_subjects
from skins.core import few_collections
from skins.simulation.store import (
    FindingRow,
    Store,
    StoredRun,
    connect,
    finished_runs,
    read_transcripts,
    world_of,
    write_findings,
)
from skins.worlds import Transcript

CHUNK_SIZE = 50
"""Runs per task sent to a worker."""
IN_FLIGHT = 3
"""Tasks queued per worker (keeps every worker busy without holding many results)."""
GC_THRESHOLD = 50_000
"""Allocations between young-generation collections while analysing (Python's default: 700).

Analysis allocates millions of short-lived, acyclic objects (records, claims,
findings); at the default every few hundred of them trigger a collection that
also walks the older generations now and then, which cost up to half of the
analysis time. Cycles are still collected, just less often."""
_NO_RECORDS: dict[str, list[object]] = {"turns": [], "messages": [], "actions": [], "knowledge": [], "fact_changes": []}
T = TypeVar("T")


class RunResult(NamedTuple):
    """What a worker sends back about one run."""

    transcript: Transcript
    """The run's transcript (without its records unless they were asked for)."""
    findings: list[Finding]
    claims: list[Claim]
    """The run's claims, when asked for (else empty)."""


class RunSummary(NamedTuple):
    """What the deception table, the graph and the outcome table need of one analysed run."""

    transcript: Transcript
    """The run without its records (ids, seed, roles, ablations)."""
    table: RunTable
    edges: RunEdges | None
    """None unless the graph was asked for (``summarize_folder(graph=True)``)."""
    keys: list[FindingKey]
    """Every finding's outcome fields (non-deceptive ones too)."""
    subjects: frozenset[str]
    """Facts and tools the run's records mention."""


class _Task(NamedTuple):
    folder: Path
    runs: list[StoredRun]
    extractors: tuple[str, ...]
    detectors: tuple[str, ...]
    custom: Mapping[str, ClaimExtractor] | None
    ablations: list[AblationRow]
    keep_records: bool
    want_claims: bool
    include_non_deceptive: bool
    want_edges: bool


_Done = tuple[str, list[FindingRow], T]
"""(run id, its store rows, what is yielded for it)."""
_READERS: dict[Path, sqlite3.Connection] = {}
"""Each worker's read-only connection per store (opened on its first task)."""


def _analysed(task: _Task) -> Iterator[tuple[Transcript, list[Finding], list[Claim], list[FindingRow]]]:
    reader = _READERS.get(task.folder)
    if reader is None:
        reader = _READERS[task.folder] = connect(task.folder)
    for run, transcript in zip(task.runs, read_transcripts(reader, task.runs), strict=True):
        claims: list[Claim] = []
        world = world_of(reader, run)
        want = claims if task.want_claims else None
        findings = analyze_run(transcript, world, task.ablations, task.extractors, task.detectors, task.custom, want)
        yield transcript, findings, claims, finding_rows(findings)


def _results(task: _Task) -> list[_Done[RunResult]]:
    out: list[_Done[RunResult]] = []
    for transcript, findings, claims, rows in _analysed(task):
        kept = transcript if task.keep_records else transcript.model_copy(update=_NO_RECORDS)
        out.append((transcript.run_id, rows, RunResult(kept, findings, claims)))
    return out


def _summaries(task: _Task) -> list[_Done[RunSummary]]:
    out: list[_Done[RunSummary]] = []
    for transcript, findings, _, rows in _analysed(task):
        table = run_table(transcript, findings, task.include_non_deceptive)
        edges = run_edges(transcript, findings, task.include_non_deceptive) if task.want_edges else None
        keys = [finding_key(f) for f in findings]
        meta = transcript.model_copy(update=_NO_RECORDS)
        subjects = frozenset(record_subjects(transcript))
        out.append((transcript.run_id, rows, RunSummary(meta, table, edges, keys, subjects)))
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
    """Yield (transcript, findings) per finished run, as :func:`skins.analysis.pipeline.analyze_folder` does.

    The transcripts come back without their records (ids, seed, roles and
    ablations only) unless ``keep_records``: sending every record between
    processes costs more than analysing it. ``custom`` extractors must be
    picklable; ``passes`` (judges) are not supported here: run them serially.
    """
    if passes:
        raise ValueError("finding passes (judges) cannot run in worker processes: analyse with workers=1")
    want_claims = claims_out is not None
    tasks = _tasks(folder, chunk_size, extractors, detectors, custom, keep_records, want_claims, False, False)
    for result in _run_pool(Path(folder), workers, _results, tasks):
        if claims_out is not None:
            claims_out.extend(result.claims)
        yield result.transcript, result.findings


def summarize_folder(
    folder: Path,
    workers: int = 2,
    include_non_deceptive: bool = False,
    chunk_size: int = CHUNK_SIZE,
    graph: bool = True,
) -> Iterator[RunSummary]:
    """Analyse every finished run (lexical claims, every default detector), store the findings and
    yield what the deception table, the graph and the outcome table need, run by run.

    Feed :meth:`skins.analysis.graph.table.DeceptionTableBuilder.add`,
    :meth:`skins.analysis.graph.build.DeceptionGraphBuilder.add_edges` and
    :meth:`skins.analysis.stats.outcomes.OutcomeCounter.add`; nothing else of a run stays in
    memory. ``graph=False`` leaves the edges out (``None``): the table alone is
    far cheaper to build. ``workers=1`` analyses in this process.
    """
    tasks = _tasks(folder, chunk_size, ("lexical",), None, None, False, False, include_non_deceptive, graph)
    yield from _run_pool(Path(folder), workers, _summaries, tasks)


def _tasks(
    folder: Path,
    chunk_size: int,
    extractors: Sequence[str],
    detectors: Sequence[str] | None,
    custom: Mapping[str, ClaimExtractor] | None,
    keep_records: bool,
    want_claims: bool,
    include_non_deceptive: bool,
    want_edges: bool,
) -> list[_Task]:
    folder = Path(folder)
    with Store(folder, create=False) as store:  # checks the store and its schema version
        ablations = [AblationRow.model_validate_json(js) for js in store.ablations()]
    reader = connect(folder)
    try:
        runs = finished_runs(reader)
    finally:
        reader.close()
    settings = (
        tuple(extractors),
        tuple(DEFAULT_DETECTORS if detectors is None else detectors),
        custom,
        ablations,
        keep_records,
        want_claims,
        include_non_deceptive,
        want_edges,
    )
    return [_Task(folder, runs[i : i + chunk_size], *settings) for i in range(0, len(runs), chunk_size)]


def _init_worker() -> None:
    """A worker process lives for the analysis only: collect rarely, never walk what it inherited."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def _run_pool(folder: Path, workers: int, work: Callable[[_Task], list[_Done[T]]], tasks: list[_Task]) -> Iterator[T]:
    """``work`` over the tasks, in order, in ``workers`` processes (in this one for 1), writing findings here."""
    with few_collections(GC_THRESHOLD):
        yield from _pooled(folder, workers, work, tasks)


def _pooled(folder: Path, workers: int, work: Callable[[_Task], list[_Done[T]]], tasks: list[_Task]) -> Iterator[T]:
    writer = connect(folder, readonly=False)
    try:
        if workers <= 1:
            for task in tasks:
                yield from _write(writer, work(task))
            return
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")  # fork: no re-imports
        pending: deque[Future[list[_Done[T]]]] = deque()
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker) as pool:
            try:
                for task in tasks:
                    pending.append(pool.submit(work, task))
                    if len(pending) >= workers * IN_FLIGHT:
                        yield from _write(writer, pending.popleft().result())
                while pending:
                    yield from _write(writer, pending.popleft().result())
            finally:
                for future in pending:
                    future.cancel()
    finally:
        writer.close()


def _write(writer: sqlite3.Connection, done: list[_Done[T]]) -> Iterator[T]:
    write_findings(writer, [(run_id, rows) for run_id, rows, _ in done])
    for _, _, item in done:
        yield item
