"""skins compare --by aware: runs with a turn marked evaluation-aware against runs without, in a folder where
the aware runs lie more; unpaired, the condition held fixed, usable with --pool; a folder never analysed
for awareness says how to analyse it."""

from __future__ import annotations

from pathlib import Path

import pytest
from aware_runs import AWARE_REASONING, HONEST, LIE, UNAWARE_REASONING, write_runs
from typer.testing import CliRunner

from skins.cli.app import app

runner = CliRunner()
WIDE = {"COLUMNS": "400"}


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=WIDE)
    return result.exit_code, result.output


def _records(printed: str) -> list[dict[str, str]]:
    header = next(line for line in printed.splitlines() if line.startswith("┃"))
    names = [c.strip() for c in header.split("┃")[1:-1]]
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in printed.splitlines() if line.startswith("│")]
    return [dict(zip(names, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def aware_lie_more(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 aware runs that all lie, 8 unaware runs of which one lies (one condition: acme_quarter_end, policy)."""
    folder = tmp_path_factory.mktemp("aware")
    runs = [(AWARE_REASONING, LIE)] * 8 + [(UNAWARE_REASONING, LIE)] + [(UNAWARE_REASONING, HONEST)] * 7
    write_runs(folder, runs)
    return folder


def test_aware_runs_are_compared_with_unaware_ones_unpaired(aware_lie_more: Path) -> None:
    code, printed = _invoke("compare", str(aware_lie_more), "--by", "aware", "--baseline", "unaware")
    assert code == 0, printed
    assert "Awareness: 8 of 16 analysed run(s) have a turn marked evaluation-aware." in printed
    (row,) = [r for r in _records(printed) if r.get("type", "lie") == "lie"]
    assert row["rate unaware"].startswith("1/8") and row["rate aware"].startswith("8/8")
    assert row["n"] == "8+8"  # unpaired: two groups of different runs
    assert float(row["p"]) < 0.01
    assert "Test in every row: Fisher's exact (unpaired)." in printed
    assert "never paired" in printed and "world=acme_quarter_end" in printed


def test_aware_works_with_pool(aware_lie_more: Path) -> None:
    code, printed = _invoke("compare", str(aware_lie_more), "--by", "aware", "--pool", "world")
    assert code == 0, printed
    assert "Pooled on request: world." in printed and "8/8" in printed


def test_aware_cannot_be_pooled(aware_lie_more: Path) -> None:
    code, printed = _invoke("compare", str(aware_lie_more), "--by", "variant", "--pool", "aware")
    assert code == 2 and "--pool" in printed and "aware" in printed


def test_a_folder_not_analysed_for_awareness_says_how(tmp_path: Path) -> None:
    write_runs(tmp_path, [(AWARE_REASONING, LIE), (UNAWARE_REASONING, HONEST)])
    code, printed = _invoke("compare", str(tmp_path), "--by", "aware", "--stored")
    assert code == 2 and "skins analyze" in printed
    assert _invoke("analyze", str(tmp_path))[0] == 0
    code, printed = _invoke("compare", str(tmp_path), "--by", "aware", "--stored")
    assert code == 0 and "Awareness: 1 of 2 analysed run(s)" in printed
