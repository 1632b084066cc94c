"""The capability-ladder figure: one panel per stratum, drawn as PNG; without matplotlib it cannot be imported."""

from __future__ import annotations

import importlib
import struct
import sys

import pytest

from skins.analysis.stats import RunOutcome, TrendRow, order_scores, trend

LEVELS = ["small", "medium", "large"]


def _rows(types: int, hits: tuple[int, int, int] = (1, 5, 9), runs: int = 10) -> list[TrendRow]:
    outcomes = [
        RunOutcome(
            run_id=f"{t}-{m}-{i}",
            world_id="w",
            seed=i,
            ablated=(),
            models={"a": m},
            personas={"a": "rep"},
            key={"deceiver_model": m, "deceiver_skin": "rep", "type": f"type{t:02d}"},
            count=int(i < k + t % 3),
        )
        for t in range(types)
        for m, k in zip(LEVELS, hits, strict=True)
        for i in range(runs)
    ]
    return trend(outcomes, by="model", order=order_scores(LEVELS))


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_each_stratum_is_a_panel_and_no_rows_no_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    from skins.analysis.report import trend_plot
    from skins.analysis.report.trend_plot import render_trend_plot

    assert render_trend_plot([]) is None
    one = render_trend_plot(_rows(1))
    six = render_trend_plot(_rows(6))
    assert one is not None and six is not None
    assert _size(one)[1] < _size(six)[1]  # two lines of three panels are taller than one panel
    monkeypatch.setattr(trend_plot, "MAX_PANELS", 3)
    most = render_trend_plot(_rows(3))
    more = render_trend_plot(_rows(5))
    assert most is not None and more is not None
    assert _size(more)[1] == _size(most)[1]  # beyond MAX_PANELS, only the rows with the smallest p


def test_without_matplotlib_the_module_cannot_be_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")] + ["matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)  # every import of matplotlib now raises ImportError
    for name in ("skins.analysis.report.trend_plot", "skins.analysis.report.plots"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError):
        importlib.import_module("skins.analysis.report.trend_plot")
