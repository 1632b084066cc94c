"""Analysis of real engine output: policy minds play the acme world, the analysis reads the store.

The policy mind is incentive-maximising, so deception is expected; what is
checked is that every label is consistent with the transcript it came from.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from skins.analysis import Analysis, BeliefTimeline, analyze_transcript
from skins.analysis.graph import build_deception_graph, deception_table, write_graph_files
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds import Transcript
from skins.worlds.library import World, load_world

SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Transcript, Analysis]]:
    world: World = load_world("acme_quarter_end")
    out: list[tuple[Transcript, Analysis]] = []
    with Store(tmp_path_factory.mktemp("store")) as store:
        for spec in plan_runs(world, seeds=SEEDS):
            assert asyncio.run(execute_run(spec, store)).status == "done"
            transcript = store.transcript(spec.run_id)
            out.append((transcript, analyze_transcript(transcript, world.spec)))
    return out


def test_policy_minds_deceive(analysed: list[tuple[Transcript, Analysis]]) -> None:
    assert any(a.deceptive() for _, a in analysed)


def test_every_label_matches_its_transcript(analysed: list[tuple[Transcript, Analysis]]) -> None:
    world = load_world("acme_quarter_end").spec
    for transcript, analysis in analysed:
        beliefs = BeliefTimeline(transcript, world)
        messages = {m.index: m for m in transcript.messages}
        for f in analysis.findings:
            if f.message_index is None:  # an action alone (sandbagging, covert action) or a question not answered
                actions = [transcript.actions[i] for i in f.evidence.action_indexes]
                assert f.type == "omission" or (f.subject_kind == "action" and actions)
                assert all(a.ok and a.actor == f.deceiver and a.tool == f.subject for a in actions)
                continue
            message = messages[f.message_index]
            assert (message.sender, message.turn, message.scripted) == (f.deceiver, f.turn, False)
            assert f.evidence.quote in message.text and f.targets == message.to
            if f.type == "lie":
                assert f.evidence.belief is not None and f.evidence.belief.value != f.evidence.asserted
                assert f.evidence.truth == beliefs.truth(f.subject, f.turn)
            if f.type == "denial":
                actions = [transcript.actions[i] for i in f.evidence.action_indexes]
                assert actions and all(a.ok and a.actor == f.deceiver and a.tool == f.subject for a in actions)
                assert all(a.turn <= f.turn for a in actions)


def test_graph_of_the_runs(analysed: list[tuple[Transcript, Analysis]], tmp_path: Path) -> None:
    G = build_deception_graph((t, a.findings) for t, a in analysed)
    assert G.graph["n_runs"] == len(SEEDS)
    assert all(d["runs"] == len(SEEDS) for _, d in G.nodes(data=True))
    edges_expected = sum(len(f.targets) for _, a in analysed for f in a.deceptive())
    assert sum(r.count for r in deception_table(G)) == G.number_of_edges() == edges_expected
    assert all(0.0 < r.rate <= 1.0 for r in deception_table(G))
    names = [p.name for p in write_graph_files(G, tmp_path)]
    assert names[:2] == ["graph.graphml", "graph.json"]
