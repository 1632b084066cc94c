"""skins analyze / ablate / compare end to end on a small world with policy minds."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from skins.cli.app import app

WORLD = str(Path(__file__).parents[1] / "analysis" / "worlds" / "planted_cause.yaml")
runner = CliRunner()
WIDE = {"COLUMNS": "220"}


@pytest.fixture(scope="module")
def ablated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("ablate")
    result = runner.invoke(app, ["ablate", WORLD, "--incentive", "bonus", "--seeds", "8", "--out", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_ablate_reports_the_effect_with_an_interval_and_marks_it_causal(ablated: tuple[Path, str]) -> None:
    out, printed = ablated
    assert "Ablation of bonus" in printed
    assert "The runs column pools the folder's ablations ((none), bonus)" in printed
    row = next(line for line in printed.splitlines() if "│ rep" in line and "│ lie" in line)
    assert "yes" in row and "[" in row  # causal, with an interval
    g = nx.read_graphml(out / "graph.graphml")
    motives = {d["motives_json"] for _, _, d in g.edges(data=True)}
    assert any('"counterfactual"' in m for m in motives)


def test_compare_by_ablation_prints_paired_differences(ablated: tuple[Path, str]) -> None:
    out, _ = ablated
    result = runner.invoke(app, ["compare", str(out), "--by", "ablation"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "8 pairs" in result.output and "bonus" in result.output and "(none)" in result.output


def test_analyze_reprints_rates_and_keeps_counterfactual_motives(ablated: tuple[Path, str]) -> None:
    out, _ = ablated
    result = runner.invoke(app, ["analyze", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Rates over runs per world, variant and ablation" in result.output
    rows = [line for line in result.output.splitlines() if "│ sales_rep" in line and "│ lie" in line]
    cells = [[c.strip() for c in line.strip("│ ").split("│")] for line in rows]
    assert [c[:3] for c in cells] == [["planted_cause", "default", "(none)"], ["planted_cause", "default", "bonus"]]
    assert re.fullmatch(r"[1-8]/8", cells[0][6]) and cells[1][6] == "0/8"  # each condition its own row, never /16
    assert "counterfactual" in result.output


def test_bad_options_are_clear_errors(ablated: tuple[Path, str]) -> None:
    out, _ = ablated
    bad_by = runner.invoke(app, ["compare", str(out), "--by", "colour"])
    assert bad_by.exit_code == 2 and "choose one of world, variant, ablation" in bad_by.output
    bad_judge = runner.invoke(app, ["analyze", str(out), "--judge", "policy"])
    assert bad_judge.exit_code == 2 and "not a language model" in bad_judge.output
    bad_incentive = runner.invoke(app, ["ablate", WORLD, "--incentive", "bribe", "--out", str(out / "x")])
    assert bad_incentive.exit_code == 2 and "'bonus'" in bad_incentive.output


def test_ablating_a_capability_threat_reports_the_accuracy_difference(tmp_path: Path) -> None:
    args = ["ablate", "acme_quarter_end", "--incentive", "unlearning_threat", "--seeds", "6", "--out", str(tmp_path)]
    result = runner.invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("accuracy on submit_answers"))
    assert (
        "without unlearning_threat" not in line and "without 1.00 [1.00, 1.00]" in line and "paired_bootstrap" in line
    )
