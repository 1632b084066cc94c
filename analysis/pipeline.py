"""Analyse every finished run of an output folder from its store (no model is called), in ``workers``
processes (1: in this one): one implementation, whatever the number of workers.

Chunks of runs are tasks. Each task reads its runs with one query per table
from a read-only store, analyses them (:func:`skins.analysis.analyze.analyze_run`)
and returns each run's findings and evaluation-awareness marks
(:mod:`skins.analysis.awareness`) with their store rows already serialised. Only
this process writes, one transaction per chunk. Results come back in run order
(a few chunks in flight per worker), so any number of workers yields and stores
the same findings in the same order.

:func:`analyze_folder` yields each run's transcript and findings;
:func:`summarize_folder` yields less, per run only what the deception table,
optionally the deception graph, and the outcome table are built from
(:class:`skins.analysis.graph.RunTable`, :class:`skins.analysis.graph.RunEdges`,
:class:`skins.analysis.stats.FindingKey`), so nothing else of a run crosses
between processes or stays in memory.
"""

from __future__ import annotations

__all__ = ["CHUNK_SIZE", "RunSummary", "analyze_folder", "summarize_folder"]

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple, TypeVar

from skins.analysis.analyze import FindingPass, analyze_run, finding_rows
from skins.analysis.awareness import AwarenessJudge, AwarenessMark, awareness_rows, detect_awareness
from skins.analysis.claims import DEFAULT_EXTRACTOR, Claim, ClaimExtractor
from skins.analysis.detectors import DEFAULT_DETECTORS
from skins.analysis.findings import Finding
from skins.analysis.graph import RunEdges, RunTable, run_edges, run_table
from skins.analysis.stats import AblationRow, FindingKey, finding_key, record_subjects
from skins.core import few_collections
from skins.simulation.store import AwarenessRow, FindingRow, Store, StoredRun
from skins.worlds import Transcript

CHUNK_SIZE = 50
"""Runs per task: read with one query per table, their findings written in one transaction."""
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


class _Analysed(NamedTuple):
    """What :func:`analyze_folder` yields of one run (and the claims it collects)."""

    transcript: Transcript
    findings: list[Finding]
    claims: list[Claim]
    awareness: list[AwarenessMark]


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


class _Settings(NamedTuple):
    extractors: tuple[str, ...]
    detectors: tuple[str, ...]
    custom: Mapping[str, ClaimExtractor] | None = None
    passes: tuple[FindingPass, ...] = ()
    want_claims: bool = False
    include_non_deceptive: bool = False
    want_edges: bool = False
    ablations: tuple[AblationRow, ...] = ()
    """The folder's stored ablation effects (read once, by :func:`_run_pool`)."""
    awareness_judge: AwarenessJudge | None = None


class _Task(NamedTuple):
    runs: list[StoredRun]
    settings: _Settings


_Marks = tuple[str, list[AwarenessRow]]
"""How a run was analysed for awareness (``phrases`` or ``phrases+judge``) and its marks' store rows."""
_Done = tuple[str, list[FindingRow], _Marks, T]
"""(run id, its finding rows, its awareness rows, what is yielded for it)."""
_Work = Callable[[Store, _Task], list[_Done[T]]]
"""What a task does, given a store to read from."""


def analyze_folder(
    folder: Path,
    extractors: Sequence[str] = (DEFAULT_EXTRACTOR,),
    detectors: Sequence[str] = DEFAULT_DETECTORS,
    custom: Mapping[str, ClaimExtractor] | None = None,
    claims_out: list[Claim] | None = None,
    passes: Sequence[FindingPass] = (),
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
    awareness_out: dict[str, list[AwarenessMark]] | None = None,
    awareness_judge: AwarenessJudge | None = None,
) -> Iterator[tuple[Transcript, list[Finding]]]:
    """Yield (transcript, findings) per finished run, replacing the run's stored findings and
    evaluation-awareness marks.

    ``claims_out`` collects every run's claims (for comparing extractors); ``passes`` refine the
    findings further (e.g. :func:`skins.analysis.motive_judge.make_judge_motives`); ``awareness_out``
    collects each run's awareness marks by run id; ``awareness_judge`` reads the turns beside the phrase
    detector. With ``workers > 1`` the runs are analysed in that many processes: ``custom`` extractors
    must then be picklable and ``passes`` and ``awareness_judge`` are refused (a judge runs in this process).
    """
    if (passes or awareness_judge) and workers > 1:
        raise ValueError("finding passes (judges) cannot run in worker processes: analyse with workers=1")
    settings = _Settings(
        tuple(extractors),
        tuple(detectors),
        custom,
        tuple(passes),
        want_claims=claims_out is not None,
        awareness_judge=awareness_judge,
    )
    for result in _run_pool(Path(folder), workers, _results, chunk_size, settings):
        if claims_out is not None:
            claims_out.extend(result.claims)
        if awareness_out is not None:
            awareness_out[result.transcript.run_id] = result.awareness
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

    Feed :meth:`skins.analysis.graph.DeceptionTableBuilder.add`,
    :meth:`skins.analysis.graph.DeceptionGraphBuilder.add_edges` and
    :meth:`skins.analysis.stats.OutcomeCounter.add`; nothing else of a run stays in
    memory. ``graph=False`` leaves the edges out (``None``): the table alone is
    far cheaper to build.
    """
    settings = _Settings(
        (DEFAULT_EXTRACTOR,), DEFAULT_DETECTORS, include_non_deceptive=include_non_deceptive, want_edges=graph
    )
    yield from _run_pool(Path(folder), workers, _summaries, chunk_size, settings)


class _Run(NamedTuple):
    transcript: Transcript
    findings: list[Finding]
    claims: list[Claim]
    rows: list[FindingRow]
    marks: list[AwarenessMark]
    stored_marks: _Marks


def _analysed(store: Store, task: _Task) -> Iterator[_Run]:
    s = task.settings
    methods = "phrases+judge" if s.awareness_judge is not None else "phrases"
    for run, transcript in zip(task.runs, store.read_transcripts(task.runs), strict=True):
        claims: list[Claim] = []
        world = store.world_of(run)
        want = claims if s.want_claims else None
        findings = analyze_run(transcript, world, s.ablations, s.extractors, s.detectors, s.custom, want, s.passes)
        marks = detect_awareness(transcript, s.awareness_judge)
        yield _Run(transcript, findings, claims, finding_rows(findings), marks, (methods, awareness_rows(marks)))


def _results(store: Store, task: _Task) -> list[_Done[_Analysed]]:
    return [
        (r.transcript.run_id, r.rows, r.stored_marks, _Analysed(r.transcript, r.findings, r.claims, r.marks))
        for r in _analysed(store, task)
    ]


def _summaries(store: Store, task: _Task) -> list[_Done[RunSummary]]:
    out: list[_Done[RunSummary]] = []
    mistakes, want_edges = task.settings.include_non_deceptive, task.settings.want_edges
    for transcript, findings, _, rows, _, marks in _analysed(store, task):
        table = run_table(transcript, findings, mistakes)
        edges = run_edges(transcript, findings, mistakes) if want_edges else None
        keys = [finding_key(f) for f in findings]
        meta = transcript.model_copy(update=_NO_RECORDS)
        subjects = frozenset(record_subjects(transcript))
        out.append((transcript.run_id, rows, marks, RunSummary(meta, table, edges, keys, subjects)))
    return out


def _run_pool(folder: Path, workers: int, work: _Work[T], chunk_size: int, settings: _Settings) -> Iterator[T]:
    """``work`` over chunks of the finished runs, in order, in ``workers`` processes (1: in this one);
    the findings and awareness marks are written here."""
    with Store(folder, create=False) as writer, few_collections(GC_THRESHOLD):
        ablations = tuple(AblationRow.model_validate_json(js) for js in writer.ablations())
        settings = settings._replace(ablations=ablations)
        runs = writer.finished_runs()
        tasks = [_Task(runs[i : i + chunk_size], settings) for i in range(0, len(runs), chunk_size)]
        for done in _pooled(folder, workers, work, tasks):
            writer.replace_findings((run_id, rows) for run_id, rows, _, _ in done)
            writer.replace_awareness((run_id, methods, marks) for run_id, _, (methods, marks), _ in done)
            for *_, item in done:
                yield item


def _pooled(folder: Path, workers: int, work: _Work[T], tasks: list[_Task]) -> Iterator[list[_Done[T]]]:
    """Each task's results, in order: here for one worker, else from a pool of ``workers`` processes."""
    if workers <= 1:
        with Store(folder, readonly=True) as reader:
            for task in tasks:
                yield work(reader, task)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")  # fork: no re-imports
    pending: deque[Future[list[_Done[T]]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(folder,)) as pool:
        try:
            for task in tasks:
                pending.append(pool.submit(_in_worker, work, task))
                if len(pending) >= workers * IN_FLIGHT:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


_reader: Store | None = None
"""A worker process's read-only store (opened by :func:`_init_worker`, for the pool's lifetime)."""


def _init_worker(folder: Path) -> None:
    """A worker process lives for the analysis only: collect rarely, never walk what it inherited."""
    global _reader
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    _reader = Store(folder, readonly=True)


def _in_worker(work: _Work[T], task: _Task) -> list[_Done[T]]:
    assert _reader is not None, "a pool worker starts with _init_worker"
    return work(_reader, task)
