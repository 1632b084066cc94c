"""``skins export DIR --format inspect -o LOGDIR`` through the CLI: what it prints, the one-line error when the
``inspect`` extra is missing, and a reasoning model's trace exported as reasoning content, never as text."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from reasoning_server import ReasoningServer, StubTurn
from run_folders import simulate_into
from typer.testing import CliRunner

from skins.cli.app import app
from skins.simulation.store import Store

pytest.importorskip("inspect_ai")

from inspect_ai.log import read_eval_log
from inspect_ai.model import ContentReasoning

runner = CliRunner()
SECRET = "Nobody may read this line 9c1e."
DANA = StubTurn(
    reasoning=f"The commission is what matters this quarter. {SECRET}",
    decision={
        "thinking": "Sam asked about the battery.",
        "messages": [{"to": ["sam"], "text": "The X200 battery is completely reliable, with no known issues."}],
    },
)


def test_export_inspect_writes_one_log_per_condition_and_names_them(tmp_path: Path) -> None:
    simulate_into(tmp_path / "runs", "acme_quarter_end", range(2))
    result = runner.invoke(
        app,
        ["export", str(tmp_path / "runs"), "--format", "inspect", "-o", str(tmp_path / "logs")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    [log] = sorted((tmp_path / "logs").glob("*.eval"))
    assert result.output.splitlines() == [f"wrote 1 Inspect log(s) to {tmp_path / 'logs'}", f"  {log.name}"]
    assert log.name.split("_")[1] == "acme-quarter-end"
    assert len(read_eval_log(str(log)).samples or []) == 2


def test_without_the_inspect_extra_one_error_line_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    simulate_into(tmp_path / "runs", "acme_quarter_end", range(1))
    monkeypatch.setitem(sys.modules, "inspect_ai", None)  # import inspect_ai now raises ImportError
    result = runner.invoke(app, ["export", str(tmp_path / "runs"), "--format", "inspect", "-o", str(tmp_path / "logs")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --format inspect needs inspect-ai, which is not installed: pip install 'skins[inspect]'"
    ]
    assert not (tmp_path / "logs").exists()


def test_a_reasoning_trace_is_reasoning_content_on_its_persona_s_messages_never_text(tmp_path: Path) -> None:
    pytest.importorskip("langchain_openai")
    with ReasoningServer({"dana": DANA}) as server:
        models = tmp_path / "models.yaml"
        spec = f"backend: openai, model: reasoning-content, base_url: '{server.base_url}', max_attempts: 1"
        models.write_text(f"models:\n  default: {{{spec}}}\n")
        args = ["run", "sales_commission@full_audit", "--models", str(models), "--max-turns", "6", "--no-judge"]
        result = runner.invoke(
            app, [*args, "--out", str(tmp_path / "runs")], env={"SKINS_CACHE_DIR": str(tmp_path / "cache")}
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", str(tmp_path / "runs"), "--format", "inspect", "-o", str(tmp_path / "logs")])
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "runs", readonly=True) as store:
        [transcript] = list(store.transcripts())
    [path] = (tmp_path / "logs").glob("*.eval")
    [sample] = read_eval_log(str(path)).samples or []
    dana = [m for m in sample.messages if (m.metadata or {}).get("role") == "dana" and m.role == "assistant"]
    traces = [
        c.reasoning for m in dana if isinstance(m.content, list) for c in m.content if isinstance(c, ContentReasoning)
    ]
    n_turns = sum(t.role == "dana" and bool(t.reasoning) for t in transcript.turns)
    assert n_turns and traces.count(DANA.reasoning) == n_turns
    assert all((m.metadata or {})["private"][:1] == ["reasoning"] for m in dana if isinstance(m.content, list))
    assert not any(SECRET in m.text for m in sample.messages)
