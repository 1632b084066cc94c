"""What a user sees when something is wrong: one `error:` line per problem (file:line first), no Python class
names, no traceback unless `--debug`; and the options that were missing or ignored (`ablate --personas`, a
sweep's `judge:`), and tables that stay readable in a pipe."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from servers import FaultProxy
from typer.testing import CliRunner

from skins.cli.app import app
from skins.cli.common import friendly
from skins.personas.library import BUILTIN_DIR as PERSONA_DIR
from skins.simulation.minds import MindFactory, PolicyMind, registered_backend
from skins.simulation.models import ModelSpec
from skins.simulation.store import Store

PLANTED = Path(__file__).parents[1] / "analysis" / "worlds" / "planted_cause.yaml"
runner = CliRunner()
WIDE = {"COLUMNS": "220", "SKINS_DEBUG": None}


def invoke(*args: str | Path, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args], env={**WIDE, **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def own_persona_world(tmp_path: Path) -> tuple[Path, Path]:
    """The planted world in a folder of its own, its rep played by a persona from another folder."""
    people, worlds = tmp_path / "people", tmp_path / "worlds"
    people.mkdir()
    worlds.mkdir()
    rep = (PERSONA_DIR / "sales_rep.yaml").read_text(encoding="utf-8").replace("id: sales_rep", "id: my_rep")
    (people / "my_rep.yaml").write_text(rep, encoding="utf-8")
    world = worlds / "planted.yaml"
    world.write_text(PLANTED.read_text(encoding="utf-8").replace("{persona: sales_rep}", "{persona: my_rep}"))
    return world, people


# --- item 13: the error line -------------------------------------------------------------------------------------
def test_an_unknown_model_names_what_was_given(tmp_path: Path) -> None:
    code, out = invoke("run", PLANTED, "--model", "foo", "--out", tmp_path / "o")
    assert code == 2
    assert out.startswith(
        "error: --model 'foo': unknown backend 'foo'; backends are ['langgraph', 'local', 'openai', 'policy',"
    )
    assert "'default'" not in out and not (tmp_path / "o").exists()


def test_an_alias_chain_to_nothing_names_its_end(tmp_path: Path) -> None:
    models = tmp_path / "models.yaml"
    models.write_text("models:\n  default: cheap\n  cheap: fooo\n")
    code, out = invoke("run", PLANTED, "--models", models, "--out", tmp_path / "o")
    assert code == 2
    assert out.startswith("error: base model 'fooo' (alias 'default' -> 'cheap' -> 'fooo') is neither a defined alias")


def test_errors_are_lines_without_class_names_file_line_first(tmp_path: Path) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("id: x\ntitle: t\ncats: {a: sales_rep}\nturns: {max: 3}\n")
    code, out = invoke("run", bad, "--out", tmp_path / "o")
    assert code == 2
    lines = out.splitlines()
    assert lines == [
        f"error: {bad}:1 cast: required field 'cast' is missing: set cast — role id -> the persona filling it "
        "('{persona: sales_rep}' or just 'sales_rep')",
        f"error: {bad}:3 cats: unknown field 'cats' (did you mean 'cast'?); allowed fields are ['cast', "
        "'description', 'events', 'facts', 'id', 'incentives', 'knows', 'oversight', 'oversight_level', "
        "'reference', 'reports_to', 'title', 'tools', 'turns', 'variant', 'variants']",
    ]
    code, out = invoke("run", "nosuch", "--out", tmp_path / "o")
    assert code == 2 and out.startswith("error: world 'nosuch' not found") and "Error" not in out


def test_a_duplicate_key_does_not_dump_the_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("id: x\ncast:\n  a: sales_rep\n  b: customer\ncast:\n  a: sales_rep\nturns: {max: 3}\n")
    code, out = invoke("run", bad, "--out", tmp_path / "o")
    assert code == 2
    assert out == (
        f'error: {bad}:5: invalid YAML: column 1: duplicate key "cast" in the mapping that starts on line 1; '
        "keep only one of them\n"
    )


def test_persona_not_found_lists_each_folder_once_and_says_how_to_add_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, _ = own_persona_world(tmp_path)
    monkeypatch.chdir(world.parent)
    code, out = invoke("run", world.name, "--personas", ".", "--out", tmp_path / "o")
    assert code == 2
    assert f"searched {[str(world.parent), str(PERSONA_DIR.resolve())]};" in out
    assert "--personas DIR" in out and "'.'" not in out
    code, out = invoke("validate", world.name, "--personas", ".")
    assert code == 1 and out.count(str(world.parent)) == 1  # searched once, though named twice


def test_debug_shows_the_traceback_and_the_same_line(tmp_path: Path) -> None:
    code, plain = invoke("run", PLANTED, "--model", "foo", "--out", tmp_path / "o")
    assert code == 2 and "Traceback" not in plain
    for args, env in [(["--debug"], {}), ([], {"SKINS_DEBUG": "1"})]:
        code, out = invoke(*args, "run", PLANTED, "--model", "foo", "--out", tmp_path / "o", env=env)
        assert code == 2
        assert out.startswith("Traceback (most recent call last):") and "model_options.py" in out
        assert out.endswith(plain)


def test_an_unexpected_error_is_one_line_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SKINS_DEBUG", raising=False)

    @friendly
    def broken() -> None:
        {}["missing"]  # the bug this test stands for

    with pytest.raises(typer.Exit) as info:
        broken()
    assert info.value.exit_code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: internal error (KeyError: 'missing'); this is a bug in skins: rerun with")
    assert err.count("\n") == 1


# --- item 11: ablate --personas ----------------------------------------------------------------------------------
def test_ablate_takes_persona_folders(tmp_path: Path) -> None:
    world, people = own_persona_world(tmp_path)
    args = ("ablate", world, "--incentive", "bonus", "--seeds", "2", "--out", tmp_path / "o")
    code, out = invoke(*args)
    assert code == 2 and "persona 'my_rep' not found" in out
    code, out = invoke(*args, "--personas", people)
    assert code == 0, out
    assert "Ablation of bonus" in out


def test_ablate_suggests_the_incentive() -> None:
    code, out = invoke("ablate", PLANTED, "--incentive", "bonnus", "--out", "unused")
    assert code == 2 and "--incentive 'bonnus' (did you mean 'bonus'?): planted_cause has ['bonus', 'decoy']" in out


# --- item 12: a sweep file's judge ---------------------------------------------------------------------------------
def sweep_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(f"worlds: ['{PLANTED}']\nseeds: 1\n{extra}")
    return path


def test_a_sweep_judge_that_cannot_read_stops_the_sweep_before_it_runs(tmp_path: Path) -> None:
    code, out = invoke("sweep", sweep_file(tmp_path, "judge: policy\n"), "--out", tmp_path / "o")
    assert code == 2 and out.startswith("error: the judge (the sweep's judge: policy): policy is not a language model")
    assert not (tmp_path / "o").exists()


def _completion(content: str) -> str:
    message = {"role": "assistant", "content": content}
    return json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "fake",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
        }
    )


def test_a_sweep_analyses_its_runs_with_the_judge_it_names(tmp_path: Path) -> None:
    with FaultProxy("http://127.0.0.1:9/v1") as judge_server:  # nothing upstream: every reply is queued
        for _ in range(60):
            judge_server.status(200, body=_completion('{"subjects": {}}'))
        models = (
            f"models:\n  strong: {{backend: openai, model: fake, base_url: '{judge_server.base_url}', "
            "strategy: json_schema, max_attempts: 1}\n"
        )
        sweep = sweep_file(tmp_path, models + "judge: strong\n")
        env = {"SKINS_CACHE_DIR": str(tmp_path / "cache")}
        code, out = invoke("sweep", sweep, "--out", tmp_path / "o", env=env)
        assert code == 0, out
        assert "judge: openai:fake (the sweep's judge: strong; --no-judge turns it off)" in out
        assert "Who deceived whom" in out and "│ judge" in out
        with Store(tmp_path / "o") as store:
            [run] = store.runs()
            judged = [c for c in store.calls(run.run_id) if c.role == "judge"]
        assert judged and len(judged) == 60 - judge_server.pending
        shutil.rmtree(tmp_path / "o")
        code, out = invoke("sweep", sweep, "--out", tmp_path / "o", "--no-judge", env=env)
        assert code == 0 and "judge:" not in out and "Who deceived whom" in out


def test_a_sweep_that_names_no_judge_reads_offline_and_says_so(tmp_path: Path) -> None:
    """A sweep never falls back to the personas' model (its judge's calls are not under budget_usd); `skins
    run` does, unless that model is no chat model (a registered agent backend)."""

    def agent(spec: ModelSpec) -> MindFactory:  # a language-model backend that is no chat model
        return lambda role, world, calls: PolicyMind(role, world.personas[role], world.spec)

    with registered_backend("agent_like", agent):
        sweep = sweep_file(tmp_path, "assignments: [{default: agent_like}]\n")
        code, out = invoke("sweep", sweep, "--out", tmp_path / "sweep")
        assert code == 0, out
        assert "judge: none (the sweep names no judge: the offline extractor reads alone; add judge: to" in out
        code, out = invoke("run", PLANTED, "--model", "agent_like", "--out", tmp_path / "run")
        assert code == 0, out
        assert "judge: none (the personas' model, agent_like, is no chat model: the offline extractor reads" in out
    code, out = invoke("sweep", sweep_file(tmp_path, ""), "--out", tmp_path / "policy")
    assert code == 0 and "judge:" not in out  # policy minds: nothing to say


# --- item 14: tables in a pipe -------------------------------------------------------------------------------------
def test_tables_keep_whole_words_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    code, _ = invoke("run", "acme_quarter_end", "--seeds", "1", "--out", tmp_path)
    assert code == 0
    piped = runner.invoke(app, ["graph", str(tmp_path)], env={"COLUMNS": None})  # CliRunner's stdout is no tty
    assert piped.exit_code == 0, piped.output
    row = next(line for line in piped.output.splitlines() if "│ dana (sales_rep)" in line)
    assert "│ sam (customer)" in row and "battery_defect" in row
    narrow = runner.invoke(app, ["graph", str(tmp_path)], env={"COLUMNS": "80"})  # an explicit width is kept
    assert max(len(line) for line in narrow.output.splitlines()) <= 80
