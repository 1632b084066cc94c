"""The paths analysis at scale takes give what the plain ones give.

- the compiled lexical reader reads every text as ``find_assertions`` does, subject by subject;
- its required literals are contained in every match of their pattern;
- batched store reads build the transcripts ``Store.transcript`` builds;
- serial, chunked and parallel folder analyses yield and store the same findings;
- run summaries build the graph and the outcome table the findings build.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from skins.analysis import analyze_folder, summarize_folder
from skins.analysis.claims import PhrasingReader, Subject, required_literal
from skins.analysis.graph import DeceptionGraphBuilder, build_deception_graph
from skins.analysis.stats import OutcomeCounter, run_outcomes
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import DB_NAME, Store
from skins.worlds import Phrasings, Transcript, WorldSpec, find_assertions
from skins.worlds.library import World, load_world

GOLDEN = Path(__file__).parent / "golden"
WORLDS = [load_world("acme_quarter_end").spec] + [
    load_world(str(p)).spec for p in sorted((Path(__file__).parent / "worlds").glob("*.yaml"))
]


def _phrasings(world: WorldSpec) -> list[Subject]:
    facts: list[Subject] = [("fact", fid, f) for fid, f in world.facts.items()]
    tools: list[Subject] = [("action", tid, t.claim) for tid, t in world.tools.items() if t.claim is not None]
    return facts + tools


def _texts() -> list[str]:
    """Golden extractor texts, every world's own sentences, and them combined, negated, asked and cased."""
    cases: list[dict[str, Any]] = YAML(typ="safe").load((GOLDEN / "extractor_cases.yaml").read_text(encoding="utf-8"))
    said = [p.say_affirm for w in WORLDS for _, _, p in _phrasings(w)]
    said += [p.say_deny for w in WORLDS for _, _, p in _phrasings(w)]
    base = [c["text"] for c in cases] + said
    twisted = [f"It is not true that {s[0].lower()}{s[1:]}" for s in said]
    twisted += [s.rstrip(".!") + "?" for s in said] + [s.upper() for s in said]
    twisted += [s.replace("i", "\u0131").replace("s", "\u017f") for s in said]  # case twins of i and s
    twisted += [f"{a} But {b}" for a, b in itertools.islice(itertools.permutations(said, 2), 200)]
    return base + twisted + ["", "Nothing here.", "Lunch?", "\u2014 fine \u2014"]


@pytest.mark.parametrize("world", WORLDS, ids=[w.id for w in WORLDS])
def test_reader_reads_as_find_assertions(world: WorldSpec) -> None:
    subjects = _phrasings(world)
    reader = PhrasingReader(subjects)
    for text in _texts():
        expected = [(k, s, a) for k, s, p in subjects for a in find_assertions(text, p)]
        assert list(reader.read(text)) == expected, text
        assert list(reader.read(text)) == expected, text  # remembered


@pytest.mark.parametrize("world", WORLDS, ids=[w.id for w in WORLDS])
def test_required_literals_are_in_every_match(world: WorldSpec) -> None:
    patterns = [p for _, _, ph in _phrasings(world) for p in (*ph.affirm, *ph.deny)]
    checked = 0
    for pattern, text in itertools.product(patterns, _texts()):
        literal = required_literal(pattern)
        if literal is not None and text.isascii() and re.search(pattern, text, re.IGNORECASE):
            assert literal in text.lower(), (pattern, text)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        ("all (the )?tests pass", "tests pass"),
        ("a|b", None),
        ("(ab){2}c", None),
        (r"(a)\1", None),
        (r"\x41bc", None),
        ("(?x) a b c", None),
        (r"[(|)]+ done\b", " done"),
        ("sandbagg", "sandbagg"),
        (r"test_\w+ (still )?fails", "test_"),
        ("lose?s", "los"),
    ],
)
def test_required_literal(pattern: str, literal: str | None) -> None:
    assert required_literal(pattern) == literal


def test_reader_without_literals_reads_everything() -> None:
    p = Phrasings(affirm=["(a|b)c"], deny=["d.e"], say_affirm="ac", say_deny="dxe")
    reader = PhrasingReader([("fact", "f", p)])
    assert [a.stance for _, _, a in reader.read("Bc. Dze.")] == ["affirm", "deny"]


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
