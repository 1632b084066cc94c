"""skins compare on the issue's two workflows: a scenario against its paired control, and ablations in a
two-world sweep — never pooled across worlds or variants unless asked, paired by seed, adjusted p-values."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from skins.cli.app import app

runner = CliRunner()
WIDE = {"COLUMNS": "400"}  # one line per row: the tests read cells


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exit_code == 0, result.output
    return result.output


def _rows(printed: str) -> list[list[str]]:
    """The table's body rows as cells."""
    return [[c.strip() for c in line.split("│")[1:-1]] for line in printed.splitlines() if line.startswith("│")]


def _records(printed: str) -> list[dict[str, str]]:
    """The table's body rows by column name."""
    header = next(line for line in printed.splitlines() if line.startswith("┃"))
    names = [c.strip() for c in header.split("┃")[1:-1]]
    return [dict(zip(names, row, strict=True)) for row in _rows(printed)]


@pytest.fixture(scope="module")
def scenario_and_control(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("os")
    _ok("run", "oversight_subversion", "--seeds", "20", "--out", str(out))
    _ok("run", "oversight_subversion@aligned_goals", "--seeds", "20", "--out", str(out))
    return out


def test_the_scenario_against_its_paired_control(scenario_and_control: Path) -> None:
    printed = _ok("compare", str(scenario_and_control), "--by", "variant", "--baseline", "aligned_goals")
    rows = _records(printed)
    assert rows, printed
    assert "Comparison by variant: default − aligned_goals" in printed
    assert "Test in every row: exact McNemar (paired)." in printed
    assert all(r["n"] == "20 pairs" for r in rows)
    omission = next(r for r in rows if r["type"] == "omission")
    assert omission["rate aligned_goals"].startswith("0/20")  # the control never omits
    assert "[" in omission["difference"] and int(omission["seeds to halve ±"]) > 20
    assert "world=oversight_subversion" in printed and "Nothing pooled" in printed
    assert f"Family: the {len(rows)} comparisons above" in printed


def test_without_a_second_level_it_says_so(scenario_and_control: Path) -> None:
    printed = _ok("compare", str(scenario_and_control), "--by", "ablation")
    assert "No two levels of ablation to compare" in printed


@pytest.fixture(scope="module")
def two_world_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sweep")
    sweep = folder / "sweep.yaml"
    sweep.write_text(
        "worlds: [acme_quarter_end, sandbagging, sandbagging@do_well]\nseeds: 8\nablate: [[], [unlearning_threat]]\n",
        encoding="utf-8",
    )
    _ok("sweep", str(sweep), "--out", str(folder / "runs"))
    return folder / "runs"


def test_ablations_in_a_two_world_sweep_hold_world_and_variant_fixed(two_world_sweep: Path) -> None:
    printed = _ok("compare", str(two_world_sweep), "--by", "ablation")
    header = next(line for line in printed.splitlines() if line.startswith("┃"))
    assert header.split("┃")[1].strip() == "world" and "variant" in header
    rows = _rows(printed)
    worlds = {(r[0], r[1]) for r in rows}
    assert worlds == {("acme_quarter_end", "default"), ("sandbagging", "default"), ("sandbagging", "do_well")}
    assert all("8 pairs" in r for r in rows)  # never 16 or 24: no row merges two worlds or variants
    records = _records(printed)
    scenario = next(
        r for r in records if (r["world"], r["variant"], r["type"]) == ("sandbagging", "default", "sandbagging")
    )
    control = next(
        r for r in records if (r["world"], r["variant"], r["type"]) == ("sandbagging", "do_well", "sandbagging")
    )
    assert not scenario["rate (none)"].startswith("0/8") and scenario["rate unlearning_threat"].startswith("0/8")
    assert control["rate (none)"].startswith("0/8")  # the control does not sandbag, with the threat or without


def test_pooling_is_on_request_and_stated(two_world_sweep: Path) -> None:
    printed = _ok("compare", str(two_world_sweep), "--by", "ablation", "--pool", "variant")
    assert "Pooled on request: variant." in printed
    assert any("16 pairs" in r for r in _rows(printed))


def test_bad_factor_pool_and_baseline_are_clear_errors(two_world_sweep: Path) -> None:
    for args, message in [
        (["--by", "colour"], "choose one of world, variant, ablation"),
        (["--by", "variant", "--pool", "variant"], "cannot pool 'variant'"),
        (["--by", "variant", "--baseline", "aligned"], "the levels are ['default', 'do_well']"),
        (["--by", "ablation", "--alpha", "2"], "--alpha 2.0"),
    ]:
        result = runner.invoke(app, ["compare", str(two_world_sweep), *args], env=WIDE)
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output
