"""The notebook API's compare: the same statistics as ``skins compare``, as a DataFrame."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from skins.analysis import analyze_folder, load_sweep
from skins.analysis.stats import compare, comparison_fields, run_outcomes
from skins.core import ConfigError
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds.library import load_world

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """oversight_subversion and its aligned_goals control, seeds 0-5 each."""
    out = tmp_path_factory.mktemp("os")
    specs = [
        *plan_runs(load_world("oversight_subversion"), seeds=range(6)),
        *plan_runs(load_world("oversight_subversion@aligned_goals"), seeds=range(6)),
    ]
    with Store(out) as store:
        for spec in specs:
            assert asyncio.run(execute_run(spec, store)).status == "done"
    list(analyze_folder(out))
    return out


def test_compare_returns_the_cli_statistics_as_a_frame(folder: Path) -> None:
    frame = load_sweep(folder).compare(by="variant", baseline="aligned_goals")
    expected = compare(
        run_outcomes(list(analyze_folder(folder)), by=comparison_fields("variant")), "variant", baseline="aligned_goals"
    )
    assert len(frame) == len(expected) > 0
    assert list(frame["type"]) == [r.stratum["type"] for r in expected]
    assert list(frame["p_holm"]) == [r.p_holm for r in expected]
    assert list(frame["difference_low"]) == [r.difference.low for r in expected]
    assert set(frame["a"]) == {"aligned_goals"} and set(frame["b"]) == {"default"}
    assert frame["paired"].all() and (frame["n_pairs"] == 6).all() and set(frame["world"]) == {"oversight_subversion"}


def test_compare_errors_name_the_options(folder: Path) -> None:
    sweep = load_sweep(folder)
    with pytest.raises(ConfigError, match="the levels are"):
        sweep.compare(by="variant", baseline="nope")
    with pytest.raises(ConfigError, match="choose one of world"):
        sweep.compare(by="colour")
