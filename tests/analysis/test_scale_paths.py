"""The paths analysis at scale takes give what the plain ones give.

- batched store reads build the transcripts ``Store.transcript`` builds;
- serial, chunked and parallel folder analyses yield and store the same findings;
- run summaries build the graph and the outcome table the findings build.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from skins.analysis import analyze_folder, summarize_folder
from skins.analysis.graph import DeceptionGraphBuilder, build_deception_graph
from skins.analysis.stats import OutcomeCounter, run_outcomes
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import DB_NAME, Store
from skins.worlds import Transcript
from skins.worlds.library import World, load_world


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five policy runs of acme, two of them with the commission ablated."""
    world: World = load_world("acme_quarter_end")
    out = tmp_path_factory.mktemp("runs")
    with Store(out) as store:
        for spec in plan_runs(world, seeds=[1, 2, 3]) + plan_runs(world, seeds=[1, 2], ablate=["commission"]):
            assert asyncio.run(execute_run(spec, store)).status == "done"
    return out


def _from_records(store: Store, run_id: str) -> Transcript:
    """The run's transcript built record by record, in the order the engine produced them."""
    run = store.run(run_id)
    assert run is not None
    meta = {"world_id": run.world_id, "seed": run.seed, "roles": run.roles, "ablated": run.ablated}
    return Transcript.from_records(store.records(run_id), run_id=run_id, status=run.status, **meta)


def test_batched_reads_build_the_stored_transcripts(folder: Path) -> None:
    with Store(folder, readonly=True) as store:
        runs = store.finished_runs()
        assert [r.run_id for r in runs] == [r.run_id for r in store.runs() if r.status == "done"]
        assert store.read_transcripts(runs) == [_from_records(store, r.run_id) for r in runs]
        assert store.read_transcripts(runs[1:3]) == store.read_transcripts(runs)[1:3]
        assert list(store.transcripts()) == store.read_transcripts(runs)


def _stored(folder: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(folder / DB_NAME)
    return db.execute("SELECT * FROM findings ORDER BY run_id, finding_id").fetchall()


def test_parallel_analysis_equals_serial(folder: Path) -> None:
    serial = list(analyze_folder(folder))
    stored = _stored(folder)
    assert any(findings for _, findings in serial)
    claims: list[Any] = []
    parallel = list(analyze_folder(folder, workers=2, chunk_size=2, claims_out=claims))
    assert parallel == serial  # transcripts with their records, findings, in the same order
    assert _stored(folder) == stored
    serial_claims: list[Any] = []
    list(analyze_folder(folder, claims_out=serial_claims))
    assert claims == serial_claims


def test_parallel_analysis_refuses_passes(folder: Path) -> None:
    with pytest.raises(ValueError, match="workers=1"):
        list(analyze_folder(folder, workers=2, passes=[lambda f, t, w: f]))


@pytest.mark.parametrize("workers", [1, 2])
def test_summaries_build_the_graph_and_outcomes_of_the_findings(folder: Path, workers: int) -> None:
    by = ("deceiver_role", "target_role", "type", "subject")
    serial = list(analyze_folder(folder))
    graphs, counter = DeceptionGraphBuilder(), OutcomeCounter(by)
    for run in summarize_folder(folder, workers, chunk_size=2):
        assert run.edges is not None
        graphs.add_edges(run.edges)
        counter.add(run.transcript, run.keys, run.subjects)
    G, expected = graphs.graph(), build_deception_graph(serial)
    assert G.number_of_edges() > 0
    assert G.graph == expected.graph
    assert list(G.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(G.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    assert counter.outcomes() == run_outcomes(serial, by)
