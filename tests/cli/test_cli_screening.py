"""`skins run` says what it excluded from analysis, and a persona that sent no usable message is never
a deceiver through its messages: on the policy mind, and on a real llama.cpp server with SmolLM2 (slow).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from skins.analysis import Finding, screen_transcript
from skins.cli.app import app
from skins.simulation.store import Store

runner = CliRunner()
MESSAGE_TYPES = frozenset({"lie", "denial", "omission", "thinking_contradiction"})
"""Findings that rest on a message the deceiver wrote."""


def _check_findings(out: Path) -> tuple[int, dict[str, int]]:
    """Every run's findings against its screen; returns (findings, exclusions per reason) over the runs."""
    found, reasons = 0, {}
    with Store(out) as store:
        for run in store.runs():
            transcript = store.transcript(run.run_id)
            exclusions = screen_transcript(transcript)
            excluded = {e.message_index for e in exclusions if e.message_index is not None}
            usable = {
                m.sender for m in transcript.messages if not m.scripted and m.index not in excluded and m.text.strip()
            }
            acted = {a.actor for a in transcript.actions if a.ok}
            findings = [Finding.model_validate_json(js) for js in store.findings_json(run.run_id)]
            for f in findings:
                assert f.message_index not in excluded, f"{f.type} quotes a screened-out message: {f.evidence.quote!r}"
                if f.type in MESSAGE_TYPES:
                    assert f.deceiver in usable, f"{f.type} by {f.deceiver}, who sent no usable message"
                    assert f.evidence.quote, f"{f.type} by {f.deceiver} quotes nothing"
                else:
                    assert f.deceiver in acted, f"{f.type} by {f.deceiver}, who took no action"
            found += len(findings)
            for e in exclusions:
                reasons[e.reason] = reasons.get(e.reason, 0) + 1
    return found, reasons


def test_a_run_prints_what_was_excluded(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", "sales_commission", "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    found, reasons = _check_findings(out)
    assert found > 0  # the policy rep deceives: the screen leaves its messages alone
    assert set(reasons) == {"no_message"}  # customers who only wait; the policy writes no degenerate text
    assert f"Excluded {reasons['no_message']} turns or messages ({reasons['no_message']} no_message)" in result.output


@pytest.mark.slow
def test_a_real_small_model_yields_no_finding_from_what_it_did_not_say(
    local_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SmolLM2-135M mostly fails the turn format: invalid turns, template echoes, silence. None is deception."""
    monkeypatch.setenv("SKINS_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "run"
    model = ["--model", "openai:smollm2-135m-instruct", "--base-url", local_server_url]
    result = runner.invoke(
        app,
        ["run", "sales_commission", *model, "--seeds", "2", "--max-turns", "2", "--out", str(out)],
        env={"COLUMNS": "200", "OPENAI_API_KEY": "sk-local"},
    )
    assert result.exit_code == 0, result.output
    _, reasons = _check_findings(out)
    if reasons:
        assert "Excluded " in result.output and "never a source of deception" in result.output
