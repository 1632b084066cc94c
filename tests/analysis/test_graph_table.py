"""Tables built from per-run groups (skins.analysis.graph.table) equal the tables built from the graph."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from skins.analysis import Evidence, Finding, Motive, analyze_folder
from skins.analysis.graph import DeceptionTableBuilder, build_deception_graph, deception_table, run_table
from skins.analysis.parallel import summarize_folder
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds import RoleInfo, Transcript
from skins.worlds.library import World, load_world

ROLES = {r: RoleInfo(persona=r, title=r, base_model="m") for r in ("a", "b", "c")}


def _finding(
    run: str, kind: str, deceiver: str, targets: list[str], subject: str, index: int, *motives: Motive
) -> Finding:
    deceptive = kind not in ("honest_mistake", "unfounded")
    return Finding(
        run_id=run,
        type=kind,
        deceptive=deceptive,
        deceiver=deceiver,
        targets=targets,
        subject_kind="fact",
        subject=subject,
        turn=index + 1,
        message_index=index,
        extractor="lexical",
        detector="lie",
        confidence=0.9,
        evidence=Evidence(quote=f"q{index}"),
        motives=list(motives),
    )


def _runs() -> list[tuple[Transcript, list[Finding]]]:
    structural = Motive(incentive="bonus", how="structural", confidence=1.0)
    reasoning = Motive(incentive="bonus", how="reasoning", quote="bonus!", confidence=0.6)
    fear = Motive(incentive="fear", how="judge", confidence=0.5)
    t1 = Transcript(run_id="r1", world_id="w", seed=1, roles=ROLES)
    t2 = Transcript(run_id="r2", world_id="w", seed=2, roles={"a": ROLES["a"], "b": ROLES["b"]})
    t3 = Transcript(run_id="r3", world_id="v", seed=3, roles=ROLES)
    return [
        (
            t1,
            [
                _finding("r1", "lie", "a", ["b", "c"], "f", 0, structural),
                _finding("r1", "lie", "a", ["b"], "f", 1, reasoning),
                _finding("r1", "honest_mistake", "b", ["a"], "g", 2),
            ],
        ),
        (
            t2,
            [_finding("r2", "lie", "a", ["b", "stranger"], "f", 0, fear), _finding("r2", "denial", "b", ["a"], "f", 1)],
        ),
        (t3, [_finding("r3", "lie", "c", ["a"], "f", 0)]),
        (t1, [_finding("r1", "lie", "a", ["b"], "x", 5)]),  # a run seen twice is counted once
    ]


@pytest.mark.parametrize("include_non_deceptive", [False, True])
def test_table_of_run_groups_equals_table_of_graph(include_non_deceptive: bool) -> None:
    runs = _runs()
    G = build_deception_graph(runs, include_non_deceptive)
    builder = DeceptionTableBuilder()
    for transcript, findings in runs:
        builder.add(run_table(transcript, findings, include_non_deceptive))
    assert builder.table() == deception_table(G)
    assert builder.number_of_edges() == G.number_of_edges()
    assert builder.n_runs == G.graph["n_runs"] == 3


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four policy runs of acme, two of them with the commission ablated."""
    world: World = load_world("acme_quarter_end")
    out = tmp_path_factory.mktemp("runs")
    with Store(out) as store:
        for spec in plan_runs(world, seeds=[1, 2]) + plan_runs(world, seeds=[1, 2], ablate=["commission"]):
            assert asyncio.run(execute_run(spec, store)).status == "done"
    return out


@pytest.mark.parametrize(("workers", "include_non_deceptive"), [(1, False), (2, True)])
def test_summaries_build_the_table_of_the_graph(folder: Path, workers: int, include_non_deceptive: bool) -> None:
    expected = build_deception_graph(analyze_folder(folder), include_non_deceptive)
    builder = DeceptionTableBuilder()
    for run in summarize_folder(folder, workers, include_non_deceptive, chunk_size=3, graph=False):
        assert run.edges is None
        builder.add(run.table)
    assert expected.number_of_edges() > 0
    assert builder.table() == deception_table(expected)
    assert builder.number_of_edges() == expected.number_of_edges()
