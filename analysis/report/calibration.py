"""The report's label calibration: for each claim extractor the findings came from, the calibration saved
in the folder (``skins calibrate --into DIR``) as tables, or the command that measures it.

Numbers come from :mod:`skins.analysis.calibration`; this module only chooses what to show and formats it.
"""

from __future__ import annotations

__all__ = ["WORST", "calibration_command", "calibration_views"]

import datetime as dt
import shlex
from collections.abc import Sequence
from pathlib import Path

from skins.analysis.calibration import LABELS, SCORE_COLUMNS, CalibrationReport, load_calibrations
from skins.analysis.report.model import CalibrationView, Table

WORST = 10
"""Disagreements listed per calibration (the saved file has all of them)."""
_JUDGE = "judge"


def calibration_views(folder: Path, extractors: Sequence[str], worst: int = WORST) -> list[CalibrationView]:
    """One view per calibration saved in ``folder`` and one per extractor of ``extractors`` (those the
    findings came from) without any; the findings' extractors first."""
    reports, problems = load_calibrations(folder)
    views: list[CalibrationView] = []
    for name in extractors:
        saved = [r for r in reports if r.extractor == name]
        views += [_view(r, True, f"cal{len(views) + i}", worst) for i, r in enumerate(saved)] or [
            CalibrationView(
                extractor=name,
                used=True,
                note="No calibration of this extractor is saved in this folder, so how far its labels hold is "
                "unmeasured here. Measure it on the held-out labelled messages with",
                command=calibration_command(name, folder),
            )
        ]
    for report in (r for r in reports if r.extractor not in extractors):
        views.append(_view(report, False, f"cal{len(views)}", worst))
    return views + [CalibrationView(extractor="(unreadable file)", used=False, note=p) for p in problems]


def calibration_command(extractor: str, folder: Path) -> str:
    """The command that measures ``extractor`` on the held-out labelled messages and saves it into ``folder``.

    >>> calibration_command("lexical", Path("runs/exp 1"))
    "skins calibrate --extractor lexical --into 'runs/exp 1'"
    """
    into = shlex.quote(str(folder))
    if extractor == _JUDGE:
        return f"skins calibrate --judge ALIAS --models models.yaml --into {into}"
    return f"skins calibrate --extractor {shlex.quote(extractor)} --into {into}"


def _view(report: CalibrationReport, used: bool, key: str, worst: int) -> CalibrationView:
    corpus = report.corpus
    where = "These findings came from this extractor." if used else "These findings did not come from it."
    note = (
        f"{where} Measured {_when(report.date)} on {report.items} labelled messages"
        + (f" (sha256 {corpus.sha256[:12]}…)" if corpus else "")
        + f". Cohen's κ against the labels: {report.kappa:.2f} over {len(report.decisions)} (message, subject) "
        "decisions. Intervals are 95% Wilson."
    )
    return CalibrationView(
        extractor=report.label,
        corpus=corpus.name if corpus else "",
        used=used,
        note=note,
        tables=_tables(report, key, worst),
    )


def _when(date: str) -> str:
    """``2026-01-02T03:04:05+00:00`` -> ``2026-01-02 03:04 UTC``.

    >>> _when("2026-01-02T03:04:05+00:00"), _when("")
    ('2026-01-02 03:04 UTC', 'at an unrecorded date')
    """
    try:
        return dt.datetime.fromisoformat(date).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return date or "at an unrecorded date"


def _tables(report: CalibrationReport, key: str, worst: int) -> list[Table]:
    misses = report.misses
    return [
        Table(
            id=f"{key}-claims",
            title="Claims read, per stance",
            note="Decisions read with the stance that were right (precision) and labelled ones found (recall).",
            columns=["stance", *SCORE_COLUMNS],
            rows=[s.cells() for s in report.scores],
        ),
        Table(
            id=f"{key}-findings",
            title="Findings on those claims, per message",
            note="Deceptive labels on honest, irrelevant, refused or unreadable messages: "
            f"{report.false_alarms.render()}.",
            columns=["finding", *SCORE_COLUMNS],
            rows=[s.cells() for s in report.findings],
        ),
        Table(
            id=f"{key}-confusion",
            title="Labelled (rows) vs read (columns)",
            columns=["labelled", *(f"read {label}" for label in LABELS)],
            rows=[[e, *(str(row.get(f, 0)) for f in LABELS)] for e, row in report.confusion.items()],
        ),
        Table(
            id=f"{key}-misses",
            title="Worst disagreements",
            note=f"Wrong stances first, then missed or spurious claims: {min(worst, len(misses))} of {len(misses)}.",
            columns=["message", "kind", "subject", "labelled", "read", "quote"],
            rows=[[d.item, d.kind, d.subject, d.expected, d.found, d.text] for d in misses[:worst]],
        ),
    ]
