"""End to end through the CLI, as a researcher would use it."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from skins.analysis import Claim, analyze_folder, check_intent
from skins.cli.app import app
from skins.simulation.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["run", "acme_quarter_end", "--seeds", "3", "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return out, result.output


def _edges(folder: Path) -> set[tuple[str, str, str, str]]:
    g = nx.read_graphml(folder / "graph.graphml")
    return {(g.nodes[u]["role"], g.nodes[v]["role"], d["type"], d["subject"]) for u, v, d in g.edges(data=True)}


def test_run_prints_the_table_and_writes_the_graph(demo: tuple[Path, str]) -> None:
    out, printed = demo
    assert "3 of 3 runs finished" in printed and "Who deceived whom" in printed
    assert "dana (sales_rep)" in printed and "commission (structural, reasoning)" in printed
    assert "Extraction check against the policy's intent: recall " in printed  # how well the run was read
    claims: list[Claim] = []
    analysed = list(analyze_folder(out, claims_out=claims))
    check = check_intent((t for t, _ in analysed), claims)
    assert check.recalled > 0 and " ".join(check.render().split()) in " ".join(printed.split())  # the run's own claims
    for name in ("skins.db", "graph.graphml", "graph.json", "graph.png"):
        assert (out / name).is_file(), name
    edges = _edges(out)
    assert ("dana", "sam", "lie", "battery_defect") in edges
    assert ("devi", "greg", "lie", "all_tests_pass") in edges
    assert ("mo", "ada", "sandbagging", "submit_answers") in edges
    link = json.loads((out / "graph.json").read_text())
    assert (
        link["graph"]["n_runs"] == 3 and len(link["edges"]) == nx.read_graphml(out / "graph.graphml").number_of_edges()
    )
    lie = next(e for e in link["edges"] if e["type"] == "lie" and e["subject"] == "battery_defect")
    assert lie["target_role"] == "sam" and lie["target"].endswith("/sam@policy")  # the role survives node-link


def test_graph_command_reanalyses_without_duplicating_findings(demo: tuple[Path, str]) -> None:
    out, _ = demo
    with Store(out) as store:
        before = {r.run_id: store.findings_json(r.run_id) for r in store.runs()}
    edges = _edges(out)
    (out / "graph.graphml").unlink()
    result = runner.invoke(app, ["graph", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    with Store(out) as store:
        assert {r.run_id: store.findings_json(r.run_id) for r in store.runs()} == before
    assert _edges(out) == edges


def test_rerunning_skips_finished_runs_and_keeps_transcripts(demo: tuple[Path, str]) -> None:
    out, _ = demo
    with Store(out) as store:
        before = [t.model_dump_json() for t in store.transcripts()]
    result = runner.invoke(app, ["run", "acme_quarter_end", "--seeds", "3", "--out", str(out)])
    assert result.exit_code == 0 and result.output.count(": skipped") == 3
    with Store(out) as store:
        assert [t.model_dump_json() for t in store.transcripts()] == before


def test_same_seed_in_another_folder_gives_identical_transcripts(demo: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = demo
    result = runner.invoke(app, ["run", "acme_quarter_end", "--seeds", "3", "--out", str(tmp_path)])
    assert result.exit_code == 0
    with Store(out) as a, Store(tmp_path) as b:
        assert [t.model_dump_json() for t in a.transcripts()] == [t.model_dump_json() for t in b.transcripts()]


def test_export_jsonl(demo: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = demo
    target = tmp_path / "t.jsonl"
    result = runner.invoke(app, ["export", str(out), "--format", "jsonl", "-o", str(target)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(lines) == 3 and {"run_id", "turns", "messages", "actions", "knowledge"} <= set(lines[0])
    bad = runner.invoke(app, ["export", str(out), "--format", "xml"])
    assert (
        bad.exit_code == 2
        and "available: ['graphml', 'gexf', 'json', 'parquet', 'csv', 'jsonl', 'inspect']" in bad.output
    )


def test_ablating_the_commission_removes_the_sales_lie(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", "acme_quarter_end", "--seeds", "3", "--out", str(tmp_path), "--ablate", "commission"]
    )
    assert result.exit_code == 0, result.output
    assert not any(e[0] == "dana" and e[2] == "lie" for e in _edges(tmp_path))  # an unread answer may be an omission
    bad = runner.invoke(app, ["run", "acme_quarter_end", "--ablate", "bribe", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "unknown incentive" in bad.output and "commission" in bad.output


def test_persona_show_renders_the_exact_prompt() -> None:
    from skins.worlds import render_system_prompt
    from skins.worlds.library import load_world

    world = load_world("acme_quarter_end")
    result = runner.invoke(app, ["personas", "show", "sales_rep", "--world", "acme_quarter_end"])
    assert result.exit_code == 0
    assert result.output == render_system_prompt(world.personas["dana"], world.spec, "dana", world.personas) + "\n"
    swapped = runner.invoke(app, ["personas", "show", "auditor", "--world", "acme_quarter_end", "--role", "dana"])
    assert swapped.exit_code == 0 and "You are Ada" in swapped.output and "$400 commission" in swapped.output
    wrong = runner.invoke(app, ["personas", "show", "auditor", "--world", "acme_quarter_end", "--role", "cfo"])
    assert wrong.exit_code == 2 and "not a cast role" in wrong.output and "'dana'" in wrong.output


def test_lists_and_show() -> None:
    listed = runner.invoke(app, ["personas", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and all(
        p in listed.output for p in ("sales_rep", "debugger", "math_solver", "auditor")
    )
    worlds = runner.invoke(app, ["worlds", "list"], env={"COLUMNS": "200"})
    assert worlds.exit_code == 0 and "acme_quarter_end" in worlds.output
    shown = runner.invoke(app, ["worlds", "show", "acme_quarter_end"])
    assert shown.exit_code == 0 and "battery_defect [true]" in shown.output and "turn 6: ada -> ['mo']" in shown.output


def test_graph_on_a_folder_without_runs_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["graph", str(tmp_path)])
    assert result.exit_code == 2 and "no run store" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("extra", [[], ["--processes", "2"]], ids=["one-process", "two-processes"])
def test_concurrent_runs_give_the_same_transcripts(demo: tuple[Path, str], tmp_path: Path, extra: list[str]) -> None:
    out, _ = demo
    args = ["run", "acme_quarter_end", "--seeds", "3", "--concurrency", "3", *extra, "--out", str(tmp_path)]
    assert runner.invoke(app, args).exit_code == 0
    with Store(out) as a, Store(tmp_path) as b:
        assert [t.model_dump_json() for t in a.transcripts()] == [t.model_dump_json() for t in b.transcripts()]
