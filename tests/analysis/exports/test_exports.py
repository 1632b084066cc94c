"""skins export: graph files read back equal to the deception graph, tables with the documented columns."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from skins.analysis.exports import EXPORT_FORMATS, TABLE_COLUMNS, export_folder, load_sweep
from skins.analysis.graph import flatten_graph, write_graph
from skins.cli.app import app
from skins.core import ConfigError
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds.library import load_world

pd = pytest.importorskip("pandas")
runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seeds plus one without the commission, analysed once (as `skins run` leaves a folder)."""
    out = tmp_path_factory.mktemp("runs")
    world = load_world("acme_quarter_end")
    specs = [*plan_runs(world, seeds=[0, 1]), *plan_runs(world, seeds=[2], ablate=["commission"])]
    specs += plan_runs(load_world("sales_commission@adaptive+log_visible"), seeds=[0])  # verdicts
    with Store(out) as store:
        for spec in specs:
            assert asyncio.run(execute_run(spec, store)).status == "done"
    load_sweep(out)  # analyses and stores the findings
    return out


@pytest.fixture(scope="module")
def graph(folder: Path) -> nx.MultiDiGraph:
    G = load_sweep(folder).graph()
    assert G.number_of_edges() > 0
    return G


def _nodes(G: nx.MultiDiGraph, drop: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    return {n: {k: v for k, v in d.items() if k not in drop} for n, d in G.nodes(data=True)}


def _edges(
    G: nx.MultiDiGraph, drop: tuple[str, ...] = (), rename: dict[str, str] | None = None
) -> dict[tuple[str, str, str], dict[str, Any]]:
    names = rename or {}
    return {
        (u, v, k): {names.get(a, a): x for a, x in d.items() if a not in drop}
        for u, v, k, d in G.edges(keys=True, data=True)
    }


def test_graphml_reads_back_equal(folder: Path, graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    [path] = export_folder(folder, "graphml", tmp_path / "g.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    assert _nodes(back) == _nodes(graph)
    assert _edges(back) == _edges(graph)
    assert {k: v for k, v in back.graph.items() if not k.endswith("_default")} == graph.graph


def test_gexf_reads_back_equal_after_the_documented_renaming(
    folder: Path, graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    [path] = export_folder(folder, "gexf", tmp_path / "g.gexf")
    back = nx.read_gexf(path)
    assert isinstance(back, nx.MultiDiGraph)
    assert _nodes(back, drop=("label",)) == _nodes(graph)
    assert _edges(back, drop=("id",), rename={"finding_type": "type"}) == _edges(graph)
    assert all("type" not in d for *_, d in back.edges(data=True))


def test_json_is_node_link_and_reads_back_equal(folder: Path, graph: nx.MultiDiGraph) -> None:
    [path] = export_folder(folder, "json")
    assert path == folder / "graph.json"
    back = nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    assert _nodes(back) == _nodes(graph) and back.graph == graph.graph
    assert _edges(back, rename={"target_role": "target"}) == _edges(graph)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_lists_dicts_and_none_are_flattened_deterministically(fmt: str, tmp_path: Path) -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", tags={"z": 1, "b": [1, 2]}, missing=None, n=3)
    G.add_node("b", tags={"b": [1, 2], "z": 1}, missing="", n=4)
    G.add_edge("a", "b", key="k1", targets=["b", "c"], seen={"y", "x"}, weight_of=0.5, ok=True)
    G.add_edge("a", "b", key="k2", targets=[], seen=set(), weight_of=1.0, ok=False)  # parallel: gexf stays multi
    flat = flatten_graph(G)
    assert flat.nodes["a"] == {"tags": '{"b": [1, 2], "z": 1}', "missing": "", "n": 3}
    assert flat.nodes["a"]["tags"] == flat.nodes["b"]["tags"]
    assert flat.edges["a", "b", "k1"] == {"targets": '["b", "c"]', "seen": '["x", "y"]', "weight_of": 0.5, "ok": True}
    assert G.nodes["a"]["missing"] is None  # the input is not changed
    path = tmp_path / f"g.{fmt}"
    write_graph(G, path, fmt)
    back = nx.read_graphml(path, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(path)
    assert _nodes(back, drop=("label",)) == _nodes(flat)
    assert _edges(back, drop=("id",)) == _edges(flat)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_tables_have_the_documented_columns(fmt: str, folder: Path, tmp_path: Path) -> None:
    written = export_folder(folder, fmt, tmp_path / "tables")
    assert [p.name for p in written] == [f"{t}.{fmt}" for t in TABLE_COLUMNS]
    sweep = load_sweep(folder)
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    for path in written:
        table = path.stem
        frame = read(path)
        assert list(frame.columns) == [c for c, _ in TABLE_COLUMNS[table]], table
        assert len(frame) == len(sweep.rows(table)) > 0, table
    findings = read(tmp_path / "tables" / f"findings.{fmt}")
    assert sorted(findings.finding_id) == sorted(sweep.findings.finding_id)
    if fmt == "parquet":  # parquet keeps the documented dtypes, nullable ones included
        pd.testing.assert_frame_equal(findings, sweep.findings)
        assert str(findings.message_index.dtype) == "Int64" and str(findings.truth.dtype) == "boolean"


def test_tables_default_to_the_run_folder(folder: Path) -> None:
    written = export_folder(folder, "csv")
    assert written == [folder / f"{t}.csv" for t in TABLE_COLUMNS]


def test_missing_pyarrow_names_the_data_extra(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # fault injection: pyarrow not installed
    with pytest.raises(ConfigError, match=r"--format parquet needs pyarrow.*pip install 'skins\[data\]'"):
        export_folder(folder, "parquet", tmp_path / "p")
    assert not (tmp_path / "p").exists()
    result = runner.invoke(app, ["export", str(folder), "--format", "parquet", "-o", str(tmp_path / "p")])
    assert result.exit_code == 2 and "pip install 'skins[data]'" in result.output


def test_unknown_format_lists_the_valid_ones(folder: Path) -> None:
    with pytest.raises(ConfigError, match="unknown export format 'xml'") as caught:
        export_folder(folder, "xml")
    assert all(repr(f) in str(caught.value) for f in EXPORT_FORMATS)
    result = runner.invoke(app, ["export", str(folder), "--format", "xml"])
    assert result.exit_code == 2 and str(list(EXPORT_FORMATS)) in result.output.replace("\n", "")


def test_cli_writes_each_format(folder: Path, graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    for fmt in EXPORT_FORMATS:
        target = tmp_path / (fmt if fmt in ("parquet", "csv") else f"out.{fmt}")
        result = runner.invoke(app, ["export", str(folder), "--format", fmt, "-o", str(target)], env={"COLUMNS": "300"})
        assert result.exit_code == 0, result.output
        assert "wrote" in result.output and target.exists(), fmt
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert len(lines) == 4 and json.loads(lines[0])["messages"]
    assert json.loads(lines[-1])["verdicts"], "the jsonl transcripts carry the verdicts"
    back = nx.read_graphml(tmp_path / "out.graphml", force_multigraph=True)
    assert back.number_of_edges() == graph.number_of_edges()


def test_graph_export_with_mistakes_keeps_every_finding(folder: Path, tmp_path: Path) -> None:
    sweep = load_sweep(folder)
    [path] = export_folder(folder, "graphml", tmp_path / "all.graphml", include_non_deceptive=True)
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_edges() == int(sweep.findings.n_targets.sum())


def test_readme_lists_every_column_in_order() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    listed = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 5 and cells[1].strip("`") in TABLE_COLUMNS:
            listed[cells[1].strip("`")] = cells[3].strip("`").split()
    assert listed == {t: [c for c, _ in cols] for t, cols in TABLE_COLUMNS.items()}
