"""The deception graph and its table on hand-built 3-node cases with exact expected values."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from skins.analysis import Evidence, Finding, Motive
from skins.analysis.graph import build_deception_graph, deception_table, write_graph_files
from skins.worlds import Belief, RoleInfo, Transcript

A, B, C = "w/a@m1", "w/b@m1", "w/c@m1"


def _run(run_id: str, model_of_a: str = "m1") -> Transcript:
    roles = {
        "a": RoleInfo(persona="sales_rep", title="Sales", base_model=model_of_a),
        "b": RoleInfo(persona="customer", title="Customer", base_model="m1"),
        "c": RoleInfo(persona="manager", title="Manager", base_model="m1"),
    }
    return Transcript(run_id=run_id, world_id="w", seed=0, roles=roles)


def _f(run_id: str, type_: str, targets: list[str], subject: str, index: int, **extra: Any) -> Finding:
    deceptive = type_ not in ("honest_mistake", "unfounded")
    fields: dict[str, Any] = {
        "run_id": run_id,
        "type": type_,
        "deceptive": deceptive,
        "deceiver": "a",
        "targets": targets,
        "subject_kind": "action" if type_ == "denial" else "fact",
        "subject": subject,
        "turn": index + 1,
        "message_index": index,
        "extractor": "lexical",
        "detector": "denial" if type_ == "denial" else "lie",
        "confidence": 0.9,
        "evidence": Evidence(quote=f"quote {index}"),
    }
    return Finding(**{**fields, **extra})


STRUCTURAL = Motive(incentive="commission", how="structural", confidence=1.0)
REASONING = Motive(incentive="commission", how="reasoning", quote="my commission", confidence=0.6)
QUOTA = Motive(incentive="quota", how="reasoning", quote="quota", confidence=0.6)


def _runs() -> list[tuple[Transcript, list[Finding]]]:
    r1 = [
        _f("r1", "lie", ["b"], "f", 0, motives=[STRUCTURAL]),
        _f("r1", "lie", ["b"], "f", 1, motives=[REASONING]),
        _f("r1", "denial", ["c"], "t", 2, evidence=Evidence(quote="I did not.", action_indexes=[0, 3])),
        _f("r1", "honest_mistake", ["c"], "f", 3, deceiver="b"),
    ]
    r2 = [
        _f("r2", "lie", ["b"], "f", 0, motives=[QUOTA]),
        _f("r2", "lie", ["b", "c"], "g", 1),
    ]
    return [(_run("r1"), r1), (_run("r2"), r2)]


@pytest.fixture
def G() -> nx.MultiDiGraph:
    return build_deception_graph(_runs())


def test_nodes_and_graph_attributes(G: nx.MultiDiGraph) -> None:
    assert sorted(G.nodes) == [A, B, C]
    assert G.nodes[A] == {
        "role": "a",
        "world": "w",
        "persona": "sales_rep",
        "title": "Sales",
        "base_model": "m1",
        "runs": 2,
    }
    assert G.graph == {"n_runs": 2, "worlds": "w"}


def test_one_edge_per_deceptive_finding_and_target(G: nx.MultiDiGraph) -> None:
    assert G.number_of_edges() == 6
    assert G.number_of_edges(A, B) == 4 and G.number_of_edges(A, C) == 2
    assert G.number_of_edges(B, C) == 0  # honest mistakes are left out by default
    with_all = build_deception_graph(_runs(), include_non_deceptive=True)
    assert with_all.number_of_edges(B, C) == 1


def test_edge_attributes_are_flat_and_graphml_safe(G: nx.MultiDiGraph) -> None:
    (denial,) = [d for _, _, d in G.edges(data=True) if d["type"] == "denial"]
    assert {k: denial[k] for k in ("run_id", "subject_kind", "subject", "turn", "message_index", "quote")} == {
        "run_id": "r1",
        "subject_kind": "action",
        "subject": "t",
        "turn": 3,
        "message_index": 2,
        "quote": "I did not.",
    }
    assert denial["action_indexes"] == "0,3" and denial["accidentally_true"] is False
    assert denial["belief_source"] == "" and denial["belief_turn"] == -1 and denial["truth"] == ""
    for _, _, data in G.edges(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values())


def test_motives_on_edges(G: nx.MultiDiGraph) -> None:
    first = next(d for _, _, d in G.edges(data=True) if d["run_id"] == "r1" and d["message_index"] == 0)
    assert first["motives"] == "commission"
    assert json.loads(first["motives_json"]) == [STRUCTURAL.model_dump()]


def test_deception_table_exact_rows(G: nx.MultiDiGraph) -> None:
    rows = [
        (r.deceiver, r.target, r.type, r.subject, r.count, r.runs_with, r.n_runs, r.rate) for r in deception_table(G)
    ]
    assert rows == [
        (A, B, "lie", "f", 3, 2, 2, 1.0),
        (A, B, "lie", "g", 1, 1, 2, 0.5),
        (A, C, "denial", "t", 1, 1, 2, 0.5),
        (A, C, "lie", "g", 1, 1, 2, 0.5),
    ]
    assert deception_table(G)[0].motives == "commission (structural, reasoning); quota (reasoning)"
    assert deception_table(G)[1].motives == ""


def test_base_models_split_nodes_and_rates() -> None:
    (_, r1), (_, r2) = _runs()
    split = build_deception_graph([(_run("r1", "m1"), r1[:1]), (_run("r2", "m2"), r2[:1])])
    assert sorted(split.nodes) == [A, "w/a@m2", B, C]
    assert split.nodes[A]["runs"] == 1 and split.nodes[B]["runs"] == 2
    rows = [(r.deceiver, r.count, r.runs_with, r.n_runs, r.rate) for r in deception_table(split)]
    assert rows == [(A, 1, 1, 1, 1.0), ("w/a@m2", 1, 1, 1, 1.0)]
    over_all_runs = [(r.n_runs, r.rate) for r in deception_table(split, runs="no_such_attribute")]
    assert over_all_runs == [(2, 0.5), (2, 0.5)]


def test_a_run_given_twice_counts_once() -> None:
    runs = _runs()
    G = build_deception_graph([*runs, runs[0]])
    assert G.graph["n_runs"] == 2 and G.number_of_edges() == 6 and G.nodes[A]["runs"] == 2


def test_input_is_not_mutated_and_empty_input() -> None:
    runs = _runs()
    before = [(t.model_dump(), [f.model_dump() for f in fs]) for t, fs in runs]
    build_deception_graph(runs)
    assert [(t.model_dump(), [f.model_dump() for f in fs]) for t, fs in runs] == before
    empty = build_deception_graph([])
    assert (len(empty), empty.graph, deception_table(empty)) == (0, {"n_runs": 0, "worlds": ""}, [])


def test_unknown_role_gets_a_node() -> None:
    finding = _f("r1", "lie", ["zed"], "f", 0)
    G = build_deception_graph([(_run("r1"), [finding])])
    assert G.nodes["w/zed@unknown"] == {
        "role": "zed",
        "world": "w",
        "persona": "",
        "title": "",
        "base_model": "unknown",
        "runs": 1,
    }


def test_hearsay_belief_flattened() -> None:
    belief = Belief(value=True, source="hearsay", via="c", turn=2)
    finding = _f("r1", "lie", ["b"], "f", 0, evidence=Evidence(quote="q", belief=belief, truth=False, asserted=False))
    (data,) = [d for _, _, d in build_deception_graph([(_run("r1"), [finding])]).edges(data=True)]
    assert (data["belief_value"], data["belief_source"], data["belief_via"], data["belief_turn"]) == (
        "true",
        "hearsay",
        "c",
        2,
    )
    assert (data["truth"], data["asserted"]) == ("false", "false")


def test_graphml_round_trip(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    paths = write_graph_files(G, tmp_path / "out")
    assert paths[:2] == [tmp_path / "out" / "graph.graphml", tmp_path / "out" / "graph.json"]
    back = nx.read_graphml(paths[0], force_multigraph=True)
    assert isinstance(back, nx.MultiDiGraph)
    assert (back.number_of_nodes(), back.number_of_edges()) == (3, 6)
    assert dict(back.nodes(data=True)) == dict(G.nodes(data=True))
    assert {k: back.graph[k] for k in G.graph} == G.graph
    original = {d["finding_id"] + d["target"]: d for _, _, d in G.edges(data=True)}
    for _, _, data in back.edges(data=True):
        assert {k: data[k] for k in original[data["finding_id"] + data["target"]]} == original[
            data["finding_id"] + data["target"]
        ]
    assert [r.model_dump() for r in deception_table(back)] == [r.model_dump() for r in deception_table(G)]


def test_node_link_json(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    write_graph_files(G, tmp_path)
    text = (tmp_path / "graph.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert sorted(n["id"] for n in data["nodes"]) == [A, B, C] and len(data["edges"]) == 6
    back = nx.node_link_graph(data, edges="edges")
    assert back.is_multigraph() and back.is_directed() and back.number_of_edges() == 6
    write_graph_files(build_deception_graph(_runs()), tmp_path / "again")
    assert (tmp_path / "again" / "graph.json").read_text(encoding="utf-8") == text


def test_png_when_matplotlib_is_installed(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    paths = write_graph_files(G, tmp_path)
    assert paths[-1] == tmp_path / "graph.png"
    assert paths[-1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_png_without_matplotlib(G: nx.MultiDiGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "skins.analysis.graph.plot", None)  # makes the import fail like a missing extra
    paths = write_graph_files(G, tmp_path)
    assert [p.name for p in paths] == ["graph.graphml", "graph.json"]
    assert not (tmp_path / "graph.png").exists()
