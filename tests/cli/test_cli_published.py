"""skins published: each row says which mind played it, and offline policy baselines stand apart."""

from __future__ import annotations

from pathlib import Path

from run_folders import STAND_IN, simulate_into
from typer.testing import CliRunner

from skins.cli.app import app

WIDE = {"COLUMNS": "240"}


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip("│ ").split("│")]


def test_published_marks_policy_baselines_and_lists_them_after_the_language_models(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "sandbagging", "--seeds", "2", "--out", str(tmp_path)], env=WIDE)
    assert result.exit_code == 0, result.output
    simulate_into(tmp_path, "sandbagging", range(2), STAND_IN)  # recorded as played by a language model
    printed = CliRunner().invoke(app, ["published", str(tmp_path)], env=WIDE)
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    models_title = next(i for i, x in enumerate(lines) if "This sweep vs the paper" in x)
    baselines_title = next(i for i, x in enumerate(lines) if "Offline policy baselines vs the paper" in x)
    assert models_title < baselines_title
    rows = [(i, _cells(x)) for i, x in enumerate(lines) if x.startswith("│ sandbagging")]
    mind = {c[5]: c[6] for _, c in rows}
    assert mind == {STAND_IN: "language model", "policy": "policy baseline", "-": "-"}
    assert all((i < baselines_title) == (c[5] != "policy") for i, c in rows)  # baselines only in their own table
    assert all(c[1] == "do_well" and c[8] == "no runs" for _, c in rows if c[5] == "-")  # the control was not run
    assert sum(c[5] == "policy" for _, c in rows) == sum(c[5] == STAND_IN for _, c in rows) == 3  # one per paper model
    assert "not comparable with the paper's models" in printed.output


def test_published_over_policy_runs_alone_marks_every_measured_row_a_baseline(tmp_path: Path) -> None:
    simulate_into(tmp_path, "sandbagging@do_well", range(2))
    printed = CliRunner().invoke(app, ["published", str(tmp_path)], env=WIDE)
    assert printed.exit_code == 0, printed.output
    assert "Offline policy baselines vs the paper" in printed.output
    lines = printed.output.splitlines()
    baselines_title = next(i for i, x in enumerate(lines) if "Offline policy baselines vs the paper" in x)
    rows = [(i, _cells(x)) for i, x in enumerate(lines) if x.startswith("│ sandbagging")]
    for i, c in rows:  # the study itself was not run: its numbers say "no runs", above the baselines
        assert (c[1], c[6]) == (("default", "-") if i < baselines_title else ("do_well", "policy baseline"))
    assert {c[6] for _, c in rows} == {"-", "policy baseline"}
