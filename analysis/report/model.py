"""What the HTML report is made of: aggregate data (embedded once) and per-run details (parsed on demand).

Everything the page needs is computed here in Python; the browser only filters
and sums a few hundred edge groups. Every field is JSON data: the HTML layer
embeds it with :func:`skins.analysis.report.html.render_json` and the page builds
its DOM with ``textContent`` only, so model text is never markup.
"""

from __future__ import annotations

__all__ = [
    "CalibrationView",
    "EdgeGroup",
    "FactInfo",
    "FindingRef",
    "IncentiveInfo",
    "NodeInfo",
    "Plot",
    "ReportData",
    "RunDetail",
    "RunInfo",
    "Table",
    "WorldInfo",
]

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunInfo(_Model):
    """One run of the folder, finished or not."""

    id: str
    seed: int
    world: str
    condition: str
    """The ablated incentives (``"(none)"`` when nothing was removed)."""
    status: str
    """``done``, ``failed`` or ``running`` (interrupted)."""
    error: str | None = None
    roles: dict[str, list[str]] = Field(default_factory=dict)
    """Role -> [skin (persona), base model]."""
    detail: bool = False
    """Whether a transcript is embedded for it (finished runs and failed runs with records)."""


class NodeInfo(_Model):
    """A role as played in one world by one base model (the deception graph's node)."""

    world: str
    role: str
    skin: str
    model: str
    label: str
    """``dana (sales_rep)``, prefixed by the world and suffixed by the base model when they vary."""


class FindingRef(_Model):
    """A finding as listed under an edge; its full evidence lives in its run's detail."""

    r: int
    """Index of the run in :attr:`ReportData.runs`."""
    i: int
    """Index of the finding in that run's :attr:`RunDetail.findings`."""
    turn: int
    type: str
    subject: str
    deceiver: str
    targets: list[str]
    quote: str
    """The quote, cut to 240 characters (the detail has all of it)."""
    accused_by: list[str] = Field(default_factory=list)
    """Overseers whose valid verdict accused the deceiver about this subject (the graph marks the edge caught)."""


class EdgeGroup(_Model):
    """Findings of one type and subject from one node to another, with one set of motives."""

    source: str
    """Node key (``world/role@model``) of the deceiver."""
    target: str
    type: str
    subject: str
    motives: list[str]
    """Incentive ids (sorted); empty when no motive was attributed."""
    findings: list[int]
    """Indices into :attr:`ReportData.findings`."""


class Table(_Model):
    """A table already formatted for display; cells are text."""

    id: str
    title: str
    note: str = ""
    columns: list[str]
    rows: list[list[str]]
    opens: list[list[int]] | None = None
    """Per row, [run index, turn] to open that transcript at (or [] for no link)."""


class CalibrationView(_Model):
    """How far one claim extractor's labels can be trusted: a saved calibration, or how to make one."""

    extractor: str
    """The extractor as tables name it (``lexical``, ``judge openai/gpt-4o``)."""
    corpus: str = ""
    """The labelled messages it was measured on ("" without a saved calibration)."""
    used: bool
    """Whether the findings of this report came from it."""
    note: str
    """The corpus, date and agreement, or why there is nothing to show."""
    command: str = ""
    """The command that measures it, when no calibration is saved."""
    tables: list[Table] = Field(default_factory=list)
    """Empty without a saved calibration."""


class Plot(_Model):
    """A static figure: the PNG's base64 and the file written next to the report."""

    id: str
    title: str
    png_base64: str = ""
    file: str = ""
    note: str = ""
    """Why the plot is missing (no matplotlib, nothing to draw)."""


class FactInfo(_Model):
    statement: str
    truth: bool
    """The fact's truth at the start of a run (actions may change it; findings carry the truth at their turn)."""


class IncentiveInfo(_Model):
    holder: str
    kind: str
    says: str


class WorldInfo(_Model):
    """What a finding's ground truth and motives refer to."""

    title: str
    facts: dict[str, FactInfo]
    incentives: dict[str, IncentiveInfo]
    tools: dict[str, str]
    """Tool id -> description (the subject of action findings)."""


class ReportData(_Model):
    """Everything the page shows, aggregated; transcripts are in :class:`RunDetail` blocks."""

    title: str
    folder: str
    generated: str
    findings_source: str
    """How findings were obtained: re-analysed (lexical) or as stored by the last ``skins analyze``."""
    runs: list[RunInfo]
    nodes: dict[str, NodeInfo]
    edges: list[EdgeGroup]
    findings: list[FindingRef]
    worlds: dict[str, WorldInfo]
    tables: list[Table]
    calibrations: list[CalibrationView] = Field(default_factory=list)
    """The claim extractors' calibrations, those the findings came from first."""
    plots: list[Plot] = Field(default_factory=list)
    type_colours: dict[str, str]


class RunDetail(_Model):
    """One run's transcript (records without defaults) and full findings, embedded as its own JSON block."""

    turns: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    fact_changes: list[dict[str, Any]]
    findings: list[dict[str, Any]]
