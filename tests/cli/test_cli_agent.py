"""A user's LangGraph agent through the CLI: a run with a graph referenced on the command line, bad references
as one-line errors, and (slow) the example ReAct agent on the bundled model."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from skins.cli.app import app
from skins.personas.library import BUILTIN_DIR as PERSONA_DIR
from skins.simulation.store import Store
from skins.worlds.library import BUILTIN_DIR as WORLD_DIR

ROOT = Path(__file__).parents[2]
EXAMPLE_MODELS = ROOT / "examples" / "agents" / "models.yaml"
runner = CliRunner(env={"COLUMNS": "200"})


def invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def test_a_graph_named_on_the_command_line_plays_every_role(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, printed = invoke(
        "run",
        "acme_quarter_end",
        "--model",
        "langgraph:agent_fakes:precompiled_graph",
        "--max-turns",
        "4",
        "--out",
        out,
    )
    assert code == 0, printed
    with Store(out) as store:
        [run] = store.runs()
        transcript = store.transcript(run.run_id)
    assert len(transcript.turns) == 4 and all(t.valid for t in transcript.turns)
    assert [(a.actor, a.tool, a.ok) for a in transcript.actions] == [
        ("devi", "run_tests", True),
        ("mo", "submit_answers", False),
    ]


@pytest.mark.parametrize(
    ("model", "says"),
    [
        ("langgraph:no_such_module:build", "error: agent 'no_such_module:build': importing no_such_module failed"),
        ("langgraph:agent_fakes:not_an_agent", "error: agent 'agent_fakes:not_an_agent' is a int"),
        ("langgraph:agent_fakes", "write it as 'package.module:attribute'"),
    ],
    ids=["no-module", "not-an-agent", "no-attribute-given"],
)
def test_a_bad_agent_reference_stops_the_run_before_it_starts(tmp_path: Path, model: str, says: str) -> None:
    code, printed = invoke("run", "acme_quarter_end", "--model", model, "--out", tmp_path / "run")
    assert code == 2 and says in " ".join(printed.split())
    assert not (tmp_path / "run" / "skins.db").exists()


def test_an_agent_whose_chat_model_is_no_language_model_stops_the_run(tmp_path: Path) -> None:
    models = tmp_path / "models.yaml"
    models.write_text(
        "models:\n  default: {backend: langgraph, model: 'agent_fakes:precompiled_graph', chat_model: policy}\n"
    )
    code, printed = invoke("run", "acme_quarter_end", "--models", models, "--out", tmp_path / "run")
    assert code == 2 and "chat_model 'policy' is neither an alias of models.yaml nor a language model" in printed


def test_models_list_shows_an_agent_and_its_chat_model() -> None:
    code, printed = invoke("models", "list", "--models", EXAMPLE_MODELS)
    assert code == 0 and "langgraph:examples/agents/react_agent.py:build" in printed
    assert "agent; its chat model: " in printed


def test_validate_loads_an_agent_written_into_a_world(tmp_path: Path) -> None:
    text = (WORLD_DIR / "acme_quarter_end.yaml").read_text(encoding="utf-8")
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(
        text.replace(
            "devi: {persona: debugger}",
            "devi: {persona: debugger, base_model: 'langgraph:agent_fakes:precompiled_graph'}",
        )
    )
    bad.write_text(
        text.replace("devi: {persona: debugger}", "devi: {persona: debugger, base_model: 'langgraph:agent_fakes:nope'}")
    )
    code, printed = invoke("validate", good, bad, "--personas", PERSONA_DIR)
    assert code == 1 and f"ok {good} (world)" in printed
    assert f"{bad}: devi: agent 'agent_fakes:nope': agent_fakes has no attribute 'nope'" in " ".join(printed.split())


@pytest.mark.slow
def test_the_example_agent_runs_on_the_bundled_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's command: every persona is the example ReAct agent with SmolLM2 (chat_model: local). The
    small model does not call tools; each turn is stored, valid or invalid with its reason."""
    monkeypatch.chdir(ROOT)  # the example's agent path is relative to where skins runs
    out = tmp_path / "run"
    code, printed = invoke("run", "acme_quarter_end", "--models", EXAMPLE_MODELS, "--max-turns", "4", "--out", out)
    assert code == 0, printed
    with Store(out) as store:
        [run] = store.runs()
        turns = store.transcript(run.run_id).turns
        calls = store.calls(run.run_id)
    assert run.status == "done" and len(turns) == 4
    assert all(t.valid or t.invalid_reason for t in turns)
    assert calls and all(c.model == "local" and c.strategy == "agent" and c.error is None for c in calls)
    assert {c.turn for c in calls} == {t.turn for t in turns}  # every turn asked the model at least once
