"""The report's oversight section: overseer accuracy, by level, per base model and skin, questioned pairs;
model text in it stays text."""

from __future__ import annotations

from pathlib import Path

from oversight_runs import TRUTH, write_oversight_store

from skins.analysis.report import collect_report, render_html

HOSTILE = TRUTH + " <img src=x onerror=alert(1)>"


def test_the_report_shows_overseer_accuracy_after_the_caught_rates(tmp_path: Path) -> None:
    write_oversight_store(tmp_path, truth=HOSTILE)
    report = collect_report(tmp_path)
    ids = [t.id for t in report.data.tables]
    at = ids.index("caught")
    assert ids[at + 1 : at + 5] == [
        "oversight_overseers",
        "oversight_levels",
        "oversight_suspects",
        "oversight_questioned",
    ]
    tables = {t.id: t for t in report.data.tables}
    (overseer,) = tables["oversight_overseers"].rows
    assert overseer[:6] == ["sales_commission+log_visible", "(none)", "ada", "policy", "1", "1"]
    assert overseer[6].startswith("1/2 ") and overseer[7].startswith("1/1 ") and overseer[8].startswith("1/3 ")
    assert tables["oversight_levels"].columns[-1] == "log_visible"
    (suspect,) = tables["oversight_suspects"].rows
    assert suspect[3] == "sales_rep" and suspect[6].startswith("2/2 ") and suspect[7] == "-"
    questioned = tables["oversight_questioned"]
    assert [r[7] for r in questioned.rows] == ["confessed", "confessed"]
    assert questioned.opens is not None and all(o and o[1] == 3 for o in questioned.opens)
    accused = {(report.data.runs[f.r].seed, f.subject, tuple(f.accused_by)) for f in report.data.findings}
    assert accused == {(0, "battery_defect", ("ada",)), (1, "battery_defect", ())}  # seed 1's verdict: not filed
    page = render_html(report)
    assert "<img src=x" not in page  # the confession quote is data, never markup
