"""Render the report as one self-contained HTML file (no network: cytoscape.js, CSS and plots inlined).

Safety: model text only ever travels as JSON inside ``<script
type="application/json">`` blocks, with ``<``, ``>``, ``&`` and U+2028/2029
escaped (:func:`render_json`), and the page builds its DOM with
``textContent``; nothing a model wrote is parsed as HTML.
"""

from __future__ import annotations

__all__ = ["PLOT_IDS", "ReportFiles", "add_plots", "plot_path", "render_html", "render_json", "write_report"]

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from skins.analysis.report.data import Report, collect_report
from skins.analysis.report.model import Plot
from skins.simulation.store import check_output_file, output_error, prepare_output_file

PLOT_IDS = ("rates", "ablations", "trend")
"""Every plot a report may draw; each is written beside the page (:func:`plot_path`)."""
PLOT_HINT = "Plots need matplotlib: pip install 'skins[plot]'"
_STATIC = "static"
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class ReportFiles(NamedTuple):
    """What :func:`write_report` wrote."""

    html: Path
    plots: list[Path]
    runs: int
    findings: int
    notes: list[str]
    """Why a plot is missing (no matplotlib, nothing to draw)."""


def render_json(value: Any) -> str:
    """JSON safe to place inside a ``<script>`` element: no ``</script>``, ``<!--`` or line separators.

    >>> render_json({"t": "</script><b>&\\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "".join(_ESCAPES.get(ch, ch) for ch in text) if any(ch in text for ch in _ESCAPES) else text


def _asset(name: str) -> str:
    return resources.files("skins.analysis.report").joinpath(_STATIC, name).read_text(encoding="utf-8")


def _script_safe(code: str, name: str) -> str:
    """Vendored code inlined in a ``<script>``: refuse anything that would end the element early."""
    if "</script" in code.lower() or "<!--" in code:
        raise ValueError(f"{name} contains '</script' or '<!--' and cannot be inlined")
    return code


def render_html(report: Report) -> str:
    """The whole page: aggregate data in one JSON block, each run's transcript in its own (parsed on demand)."""
    data = report.data
    blocks = [
        f'<script type="application/json" id="run-{i}">{render_json(d.model_dump(mode="json"))}</script>'
        for i, d in enumerate(report.details)
        if d is not None
    ]
    scripts = [_script_safe(_asset(name), name) for name in ("cytoscape.min.js", "report.js")]
    parts: dict[str, str] = {
        "csp": _content_security_policy(scripts),
        "title": html.escape(data.title),
        "css": _asset("report.css"),
        "cytoscape": scripts[0],
        "app": scripts[1],
        "data": render_json(data.model_dump(mode="json")),
        "runs": "\n".join(blocks),
    }
    # One pass, so a "{{runs}}" inside inserted text is never substituted again.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], _asset("template.html"))


def _content_security_policy(scripts: list[str]) -> str:
    """Only our two inline scripts may run (by hash: no inline handlers), nothing is fetched, images are data: URLs."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def add_plots(report: Report, out: Path) -> list[Path]:
    """Draw the heat map and the ablation plot next to ``out`` and attach them (base64) to the report.

    Without matplotlib the report gets a note instead (:data:`PLOT_HINT`).
    """
    try:
        from skins.analysis.report.plots import render_ablation_plot, render_heatmap
    except ImportError:  # matplotlib is the optional 'plot' extra
        report.data.plots = [Plot(id="plots", title="Plots", note=PLOT_HINT)]
        return []
    figures = [
        ("rates", "Rate per condition, skin × base model", render_heatmap(report.rates), "no finished runs"),
        ("ablations", "Ablation effects", render_ablation_plot(report.ablations), "no ablated runs"),
    ]
    if report.trends:
        from skins.analysis.report.trend_plot import render_trend_plot

        figures.append(("trend", "Rate along the capability ladder", render_trend_plot(report.trends), ""))
    written: list[Path] = []
    plots: list[Plot] = []
    for plot_id, title, png, empty in figures:
        if png is None:
            plots.append(Plot(id=plot_id, title=title, note=f"Nothing to draw: {empty} in this folder."))
            continue
        path = plot_path(out, plot_id)
        path.write_bytes(png)
        written.append(path)
        plots.append(Plot(id=plot_id, title=title, png_base64=base64.b64encode(png).decode(), file=path.name))
    report.data.plots = plots
    return written


def plot_path(out: Path, plot_id: str) -> Path:
    """Where the plot ``plot_id`` (one of :data:`PLOT_IDS`) of the report ``out`` is written: beside it."""
    return out.with_name(f"{out.stem}-{plot_id}.png")


def write_report(
    folder: Path,
    out: Path,
    stored: bool = False,
    title: str | None = None,
    capability: Mapping[str, float] | None = None,
    force: bool = False,
) -> ReportFiles:
    """Analyse ``folder`` (or read its stored findings) and write ``out`` plus its PNG plots beside it;
    ``capability`` (base model -> score) adds the capability ladder's table and plot.

    Before anything is read or written, ``out`` must be a file name whose existing files (the page or
    a plot) lie in a folder skins made, unless ``force`` (:func:`skins.simulation.store.check_output_file`).
    """
    out = Path(out)
    check_output_file(out, force, "-o", beside=[plot_path(out, p) for p in PLOT_IDS], example="report.html")
    report = collect_report(folder, stored=stored, title=title, capability=capability)
    try:
        plots = add_plots(report, prepare_output_file(out))
        out.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        raise output_error("-o", out, exc) from None
    notes = [f"{p.title}: {p.note}" for p in report.data.plots if p.note]
    return ReportFiles(out, plots, len(report.data.runs), len(report.data.findings), notes)
