"""The notebook API: load_sweep over a folder of policy-mind runs (one of them ablated)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

import skins.analysis.exports.tables
from skins.analysis import Finding, analyze_folder
from skins.analysis.exports import (
    FINDING_COLUMNS,
    MESSAGE_COLUMNS,
    RUN_COLUMNS,
    TABLE_COLUMNS,
    TURN_COLUMNS,
    load_sweep,
)
from skins.analysis.graph import TableRow, build_deception_graph, deception_table, node_key
from skins.cli.app import app
from skins.core import ConfigError
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds.library import load_world

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def unanalysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three seeds plus seed 0 without the commission, simulated but never analysed."""
    out = tmp_path_factory.mktemp("runs")
    world = load_world("acme_quarter_end")
    specs = [*plan_runs(world, seeds=[0, 1, 2]), *plan_runs(world, seeds=[0], ablate=["commission"])]
    with Store(out) as store:
        for spec in specs:
            assert asyncio.run(execute_run(spec, store)).status == "done"
    return out


@pytest.fixture
def folder(unanalysed: Path, tmp_path: Path) -> Path:
    """A fresh copy per test, since loading an unanalysed folder stores its findings."""
    return Path(shutil.copytree(unanalysed, tmp_path / "runs"))


def _stored(folder: Path) -> dict[str, list[str]]:
    with Store(folder, create=False) as store:
        return {r.run_id: store.findings_json(r.run_id) for r in store.runs()}


def _counts(rows: list[TableRow]) -> list[tuple[str, str, str, str, int, int, int]]:
    return sorted((r.deceiver, r.target, r.type, r.subject, r.count, r.runs_with, r.n_runs) for r in rows)


def test_an_unanalysed_folder_is_analysed_and_its_findings_stored(folder: Path) -> None:
    assert not any(_stored(folder).values())
    sweep = load_sweep(folder)
    stored = _stored(folder)
    assert sum(map(len, stored.values())) == len(sweep.findings) > 0
    assert set(sweep.findings.finding_id) == {
        Finding.model_validate_json(js).finding_id for v in stored.values() for js in v
    }


def test_stored_findings_are_used_unless_reanalysed(folder: Path) -> None:
    full = load_sweep(folder)
    dropped = str(full.runs.run_id[0])
    with Store(folder, create=False) as store:
        store.replace_findings([(dropped, [])])
    assert dropped not in set(load_sweep(folder).findings.run_id)
    assert len(load_sweep(folder, reanalyze=True).findings) == len(full.findings)
    assert _stored(folder)[dropped]


def test_graph_and_tables_match_skins_graph(folder: Path) -> None:
    result = CliRunner().invoke(app, ["graph", str(folder)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    cli_graph = nx.read_graphml(folder / "graph.graphml", force_multigraph=True)
    sweep = load_sweep(folder)
    G = sweep.graph()
    assert _counts(deception_table(G)) == _counts(deception_table(cli_graph))
    assert nx.utils.graphs_equal(G, build_deception_graph(analyze_folder(folder)))
    assert G.graph == {"n_runs": 4, "worlds": "acme_quarter_end"}
    # the findings table gives the same counts as the graph's table (every finding here has one target)
    f = sweep.findings[sweep.findings.deceptive]
    assert (f.n_targets == 1).all()
    target_node = [node_key(w, t, m) for w, t, m in zip(f.world, f.target, f.target_base_model, strict=True)]
    grouped = f.assign(target_node=target_node).groupby(["deceiver_node", "target_node", "type", "subject"])
    by_table = {(r.deceiver, r.target, r.type, r.subject): (r.count, r.runs_with) for r in deception_table(G)}
    assert {k: (len(g), g.run_id.nunique()) for k, g in grouped} == by_table


def test_runs_table(folder: Path) -> None:
    sweep = load_sweep(folder)
    runs = sweep.runs
    assert list(runs.columns) == [c for c, _ in RUN_COLUMNS]
    assert sorted(zip(runs.seed, runs.ablation, strict=True)) == [(0, ""), (0, "commission"), (1, ""), (2, "")]
    assert (runs.status == "done").all() and (runs.error == "").all() and (runs.cost_usd == 0).all()
    assert "dana=policy" in runs.models[0] and "dana=sales_rep" in runs.personas[0]
    assert runs.findings.sum() == len(sweep.findings) and (runs.turns > 0).all()


def test_tables_have_the_documented_columns_and_dtypes(folder: Path) -> None:
    sweep = load_sweep(folder)
    tables = {"findings": sweep.findings, "runs": sweep.runs, "messages": sweep.messages, "turns": sweep.turns}
    text = str(pd.Series(["x"]).astype(str).dtype)  # "str" from pandas 3, "object" before
    for name, frame in tables.items():
        documented = [(c, text if t == "str" else t) for c, t in TABLE_COLUMNS[name]]
        assert [(c, str(t)) for c, t in frame.dtypes.items()] == documented, name
    doc = skins.analysis.exports.tables.__doc__ or ""
    for columns in (FINDING_COLUMNS, RUN_COLUMNS, MESSAGE_COLUMNS, TURN_COLUMNS):
        assert all(name in doc for name, _ in columns)


def test_finding_rows_carry_who_what_and_why(folder: Path) -> None:
    f = load_sweep(folder).findings
    lie = f[(f.type == "lie") & (f.deceiver == "dana")].iloc[0]
    who = (lie.deceiver_persona, lie.deceiver_base_model, lie.target, lie.target_persona, lie.target_base_model)
    assert who == ("sales_rep", "policy", "sam", "customer", "policy")
    assert lie.subject == "battery_defect" and lie.quote and lie.ablation == ""
    assert lie.belief_value and lie.truth and not lie.asserted and lie.belief_source == "initial"
    assert "commission" in lie.motives.split(",") and "commission (structural" in lie.motives_how
    assert {m["incentive"] for m in json.loads(lie.motives_json)} >= {"commission"}
    sandbag = f[f.type == "sandbagging"].iloc[0]
    assert pd.isna(sandbag.message_index) and sandbag.wrong_answers > 0
    assert not ((f.ablation == "commission") & (f.deceiver == "dana") & (f.type == "lie")).any()


def test_messages_and_turns_cover_every_transcript(folder: Path) -> None:
    sweep = load_sweep(folder)
    transcripts = [sweep.transcript(r) for r in sweep.runs.run_id]
    assert len(sweep.messages) == sum(len(t.messages) for t in transcripts)
    assert len(sweep.turns) == sum(len(t.turns) for t in transcripts)
    first = sweep.messages.iloc[0]
    assert first.asks_about == "fact:battery_defect" and first.scripted
    assert sweep.turns.thinking.str.len().gt(0).any()


def test_graph_filters(folder: Path) -> None:
    sweep = load_sweep(folder)
    lies = sweep.graph(type="lie")
    assert lies.number_of_edges() == int((sweep.findings.type == "lie").sum()) > 0
    assert {d["type"] for _, _, d in lies.edges(data=True)} == {"lie"}
    assert lies.graph["n_runs"] == 4  # a finding filter keeps every run
    plain = sweep.graph(ablation="", seed=range(2))
    assert plain.graph["n_runs"] == 2 and {d["run_id"] for *_, d in plain.edges(data=True)} <= set(
        sweep.runs.run_id[sweep.runs.seed < 2]
    )
    with pytest.raises(ConfigError, match=r"unknown column\(s\) \['colour'\].*'deceiver_persona'"):
        sweep.graph(colour="red")


def test_transcript(folder: Path) -> None:
    sweep = load_sweep(folder)
    run_id = str(sweep.runs.run_id[1])
    with Store(folder, create=False) as store:
        assert sweep.transcript(run_id) == store.transcript(run_id)
    with pytest.raises(ConfigError, match=r"no run 'nope'.*runs are"):
        sweep.transcript("nope")


def test_tables_without_pandas_name_the_data_extra(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sweep = load_sweep(folder)
    monkeypatch.setitem(sys.modules, "pandas", None)  # fault injection: pandas not installed
    assert sweep.graph().number_of_edges() > 0  # the graph needs no pandas
    with pytest.raises(ConfigError, match=r"pip install 'skins\[data\]'"):
        _ = sweep.findings


def test_importing_analysis_and_loading_a_sweep_do_not_import_pandas(folder: Path) -> None:
    code = (
        "import sys, skins.analysis; loaded = 'pandas' in sys.modules; "
        f"s = skins.analysis.load_sweep({str(folder)!r}); s.graph(); "
        "print(loaded, 'pandas' in sys.modules, type(s).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "Sweep"]
