"""The HTML report: one self-contained file with the interactive deception graph, its findings and
transcripts, rate tables with intervals, and static plots (``skins report DIR -o report.html``).

- :mod:`skins.analysis.report.data` collects a folder's runs and aggregates them (edge groups, findings);
- :mod:`skins.analysis.report.tables` formats the tables (rates per world, variant and ablation, ablations,
  the paper's numbers, top deceivers, caught rates, invalid turns, failed runs);
- :mod:`skins.analysis.report.calibration` shows how far the findings' claim extractors agree with labelled
  messages (calibrations saved by ``skins calibrate --into DIR``), or the command that measures them;
- :mod:`skins.analysis.report.plots` draws the PNG figures (needs the ``plot`` extra);
- :mod:`skins.analysis.report.html` renders the page from ``static/`` (template, CSS, the page's script
  and the vendored cytoscape.js, MIT, see ``static/cytoscape.LICENSE``).

**A new report table** is a function of ``tables.py`` that formats numbers computed by
:mod:`skins.analysis.stats` or :mod:`skins.analysis.graph` into a :class:`Table`, listed in
``build_tables`` in display order.
"""

from skins.analysis.report.calibration import calibration_command, calibration_views
from skins.analysis.report.data import Analyzed, Report, build_report, collect_report, load_analyzed, run_detail
from skins.analysis.report.html import PLOT_HINT, ReportFiles, add_plots, render_html, render_json, write_report
from skins.analysis.report.model import (
    CalibrationView,
    EdgeGroup,
    FindingRef,
    NodeInfo,
    ReportData,
    RunDetail,
    RunInfo,
    Table,
)

__all__ = [
    "PLOT_HINT",
    "Analyzed",
    "CalibrationView",
    "EdgeGroup",
    "FindingRef",
    "NodeInfo",
    "Report",
    "ReportData",
    "ReportFiles",
    "RunDetail",
    "RunInfo",
    "Table",
    "add_plots",
    "build_report",
    "calibration_command",
    "calibration_views",
    "collect_report",
    "load_analyzed",
    "render_html",
    "render_json",
    "run_detail",
    "write_report",
]
