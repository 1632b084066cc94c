"""The report's label calibration: the saved calibration of the extractor the findings came from, with its
numbers; the command to measure it when none is saved; calibration quotes with HTML in them stay text."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from skins.analysis import CalibrationReport, Claim, CorpusItem, calibrate, labelled_items, save_calibration
from skins.analysis.report import calibration_command, collect_report, render_html, write_report
from skins.cli import app
from skins.worlds import Transcript, WorldSpec

runner = CliRunner()


@pytest.fixture
def folder(policy_folder: Path, tmp_path: Path) -> Path:
    """A copy of the policy runs (calibrations are written into it)."""
    return Path(shutil.copytree(policy_folder, tmp_path / "runs"))


def _judge_reads_affirm(transcript: Transcript, world: WorldSpec) -> list[Claim]:
    m = transcript.messages[-1]
    return [
        Claim(
            run_id=transcript.run_id, turn=m.turn, message_index=m.index, speaker=m.sender, listeners=m.to,
            subject_kind="fact", subject="battery_defect", stance="affirm", quote=m.text, extractor="judge",
            confidence=1.0,
        )
    ]  # fmt: skip


def _hostile_judge(hostile: str) -> CalibrationReport:
    """A judge calibration whose one labelled message (read wrongly) is hostile HTML."""
    item = CorpusItem.model_validate(
        {"id": "h1", "world": "acme_quarter_end", "speaker": "dana", "to": ["sam"], "kind": "direct",
         "text": f"The battery is fine {hostile}", "claims": [{"subject": "battery_defect", "stance": "deny"}]}
    )  # fmt: skip
    _, corpus = labelled_items("test")
    return calibrate([item], _judge_reads_affirm, "judge", corpus=corpus, judge="openai/gpt-4o-mini")


def test_without_a_saved_calibration_the_report_says_how_to_measure_it(folder: Path) -> None:
    [view] = collect_report(folder, stored=True).data.calibrations
    assert (view.extractor, view.used, view.tables) == ("meaning", True, [])
    assert (
        view.command == f"skins calibrate --extractor meaning --into {folder}" == calibration_command("meaning", folder)
    )
    assert "unmeasured" in view.note
    judge = calibration_command("judge", Path("runs/x"))
    assert judge == "skins calibrate --judge ALIAS --models models.yaml --into runs/x"


def test_a_saved_calibration_shows_its_numbers_beside_the_findings(folder: Path, hostile: str) -> None:
    result = runner.invoke(app, ["calibrate", "--split", "dev", "--into", str(folder)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    save_calibration(_hostile_judge(hostile), folder)
    saved = CalibrationReport.model_validate_json((folder / "calibration" / "meaning-dev.json").read_text())
    report = collect_report(folder, stored=True)
    lexical, judge = report.data.calibrations
    assert (lexical.extractor, lexical.corpus, lexical.used) == ("meaning", "built-in corpus, dev part", True)
    assert f"κ against the labels: {saved.kappa:.2f} over {len(saved.decisions)}" in lexical.note
    claims, findings, confusion, misses = lexical.tables
    assert claims.rows == [s.cells() for s in saved.scores] and claims.rows[0][1] == saved.scores[0].precision.render()
    assert [r[0] for r in findings.rows] == ["lie", "denial", "omission"]
    assert saved.false_alarms.render() in findings.note
    assert confusion.rows[0] == ["affirm", *(str(n) for n in saved.confusion["affirm"].values())]
    assert [r[0] for r in misses.rows] == [d.item for d in saved.misses[:10]] and misses.rows[0][-1] == saved.misses[
        0
    ].text
    assert (judge.extractor, judge.used) == ("judge openai/gpt-4o-mini", False)  # saved, but not behind these findings
    assert judge.tables[-1].rows == [
        ["h1", "direct", "battery_defect", "deny", "affirm", f"The battery is fine {hostile}"]
    ]
    page = render_html(report)
    assert "calibration-section" in page and 'href="#calibration-section">Label calibration' in page
    assert hostile not in page and "window.__pwned=1\\u003c/script\\u003e" in page  # data only, escaped


def test_an_unreadable_calibration_file_is_named_not_fatal(folder: Path) -> None:
    (folder / "calibration").mkdir()
    (folder / "calibration" / "notes.json").write_text("[]")
    views = collect_report(folder, stored=True).data.calibrations
    assert [v.extractor for v in views] == ["meaning", "(unreadable file)"]
    assert views[1].note.startswith("calibration/notes.json is not a calibration saved by skins calibrate")


@pytest.mark.slow
def test_the_calibration_section_renders_hostile_quotes_as_text(
    folder: Path, hostile: str, tmp_path: Path, browser: Any
) -> None:
    save_calibration(_hostile_judge(hostile), folder)
    files = write_report(folder, tmp_path / "report.html", stored=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)  # escaping alone holds
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(files.html.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    page.click("nav a:text('Label calibration')")
    section = page.inner_text("#calibration-section")
    assert "meaning" in section and "skins calibrate --extractor meaning --into" in section
    assert "judge openai/gpt-4o-mini on built-in corpus, test part" in section
    assert hostile in page.inner_text("table[id$='-misses']")  # the quote, as text
    assert page.locator("#calibration-section img, #calibration-section script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined" and errors == []
    context.close()
