"""The judge on by default for language-model personas: which judge, --no-judge, the `judge` alias of models.yaml,
and its calls in the usage table. The slow tests run the judge on the real local server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from servers import FaultProxy
from typer.testing import CliRunner

from skins.cli.app import app
from skins.cli.judging import choose_judge, models_used, stored_models_used
from skins.cli.model_options import print_usage, run_models
from skins.core import BackendError, ConfigError
from skins.simulation.models import CallRecord, ModelSpec, load_models
from skins.simulation.runs import RunSpec, plan_runs
from skins.simulation.store import Store, add_analysis_calls
from skins.worlds import Message, RoleInfo
from skins.worlds.library import load_world

runner = CliRunner()
WIDE = {"COLUMNS": "220"}
PLANTED = str(Path(__file__).parents[1] / "analysis" / "worlds" / "planted_cause.yaml")
LOCAL = ModelSpec(backend="local")
SERVED = ModelSpec(backend="openai", model="served", base_url="http://127.0.0.1:9/v1")


@pytest.fixture(scope="module")
def policy_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("policy")
    result = runner.invoke(app, ["run", PLANTED, "--seeds", "2", "--out", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.parametrize(
    ("aliases", "judge", "no_judge", "used", "ref", "why"),
    [
        ({}, None, False, [], None, "no role ran on a language model"),
        ({}, None, False, [(LOCAL, 6)], "local", "the personas' model"),
        ({}, None, False, [(SERVED, 4), (LOCAL, 2)], "openai:served", "4 of 6 roles played; also local (2)"),
        ({"judge": "strong", "strong": SERVED}, None, False, [(LOCAL, 6)], "openai:served", "'judge' alias"),
        ({"judge": "local"}, "strong", False, [(LOCAL, 6)], "openai:served", "--judge strong"),
        ({"judge": "local"}, None, True, [(LOCAL, 6)], None, "--no-judge"),
        ({"strong": SERVED}, "strong", False, [], "openai:served", "--judge strong"),
    ],
    ids=["policy", "personas-model", "most-used", "judge-alias", "judge-option-wins", "no-judge", "judge-for-policy"],
)
def test_which_judge(
    aliases: dict[str, ModelSpec | str],
    judge: str | None,
    no_judge: bool,
    used: list[tuple[ModelSpec, int]],
    ref: str | None,
    why: str,
) -> None:
    if judge == "strong":
        aliases = {**aliases, "strong": SERVED}
    choice = choose_judge(aliases, judge, no_judge, used)
    assert (choice.spec.ref if choice.spec else None) == ref and why in choice.why


def test_a_judge_that_cannot_read_is_refused_before_anything_is_paid() -> None:
    with pytest.raises(ConfigError, match="give one of them"):
        choose_judge({}, "local", True, [])
    with pytest.raises(BackendError, match="not a language model"):
        choose_judge({}, "policy", False, [(LOCAL, 6)])


def test_models_used_counts_role_runs_of_language_models_only() -> None:
    world = load_world("acme_quarter_end")
    assert models_used((s, 1) for s in plan_runs(world, [0, 1])) == []  # policy minds
    specs = plan_runs(world, [0, 1], {"default": LOCAL})
    assert models_used((s, 1) for s in specs) == [(LOCAL, 2 * len(world.spec.cast))]


def test_the_judge_alias_must_be_a_language_model_and_is_no_part_of_a_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  default: policy\n  judge: policy\n")
    with pytest.raises(ConfigError, match="must be a language model"):
        load_models(bad)
    good = tmp_path / "models.yaml"
    good.write_text("models:\n  default: small\n  small: {backend: local}\n  judge: small\n")
    aliases = load_models(good)
    assert choose_judge(aliases, None, False, [(SERVED, 6)]).spec == LOCAL
    world = load_world("acme_quarter_end")
    [with_judge] = plan_runs(world, [0], run_models(aliases))
    [without] = plan_runs(world, [0], {"default": "small", "small": LOCAL})
    assert with_judge.run_id == without.run_id  # adding a judge to models.yaml reruns nothing


def test_judge_calls_are_stored_after_the_runs_own_and_shown_in_the_usage_table(tmp_path: Path) -> None:
    persona = CallRecord(index=0, role="dana", turn=1, model="openai:m", strategy="json_schema", cost_usd=0.5)
    judged = [
        CallRecord(
            index=0, role="judge", turn=1, model="openai:m", strategy="json_schema", input_tokens=9, cost_usd=0.25
        ),
        CallRecord(
            index=1, role="judge", turn=1, model="openai:m", strategy="json_schema", input_tokens=9, cached=True
        ),
    ]
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, {}, [])
        store.add_call("r1", persona)
        store.spend.paid("r1", persona)  # its ledger row, as the run's model client writes it
        add_analysis_calls(store, {"r1": judged})
        add_analysis_calls(store, {"r1": judged[1:]})  # analysed again: answered from the cache
        assert [(c.index, c.role, c.cached) for c in store.calls("r1")] == [
            (0, "dana", False),
            (1, "judge", False),
            (2, "judge", True),
            (3, "judge", True),
        ]
        assert store.usage().cost_usd == pytest.approx(0.75) and store.totals().calls == 4
        console = Console(record=True, width=200)
        print_usage(console, store)
    lines = console.export_text().splitlines()
    judge_row = next(x for x in lines if "│ judge" in x)
    assert [c.strip() for c in judge_row.split("│")[1:-1]] == ["judge", "openai:m", "3", "2", "0", "27", "0", "0.2500"]
    assert lines.index(judge_row) > next(i for i, x in enumerate(lines) if "│ dana" in x)  # the judge's row last


def test_policy_runs_get_no_judge(policy_runs: tuple[Path, str]) -> None:
    out, printed = policy_runs
    assert "judge:" not in printed and "Model usage" not in printed  # no model was called at all
    assert stored_models_used(out) == []
    analyzed = runner.invoke(app, ["analyze", str(out)], env=WIDE)
    assert analyzed.exit_code == 0, analyzed.output
    assert "judge:" not in analyzed.output and "Rates over runs" in analyzed.output


def test_judge_and_no_judge_together_are_a_clear_error(policy_runs: tuple[Path, str]) -> None:
    out, _ = policy_runs
    result = runner.invoke(app, ["analyze", str(out), "--judge", "local", "--no-judge"])
    assert result.exit_code == 2 and "give one of them" in result.output


def test_a_run_with_a_judge_that_cannot_read_stops_before_the_runs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", PLANTED, "--model", "local", "--judge", "policy", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "not a language model" in result.output
    assert not (tmp_path / "skins.db").exists()


# --- the real local server as persona model and judge (slow) -----------------------------------------------------


@pytest.fixture
def served(local_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, FaultProxy]]:
    """A models.yaml whose default alias is the real local server, behind a proxy counting its requests."""
    monkeypatch.setenv("SKINS_CACHE_DIR", str(tmp_path / "cache"))
    with FaultProxy(local_server_url) as proxy:
        models = tmp_path / "models.yaml"
        models.write_text(
            "models:\n  default: server\n"
            f"  server: {{backend: openai, model: smollm2, base_url: '{proxy.base_url}', strategy: json_schema,\n"
            "           max_tokens: 300, timeout: 120, temperature: 0,\n"
            "           price_input_per_mtok: 1.0, price_output_per_mtok: 2.0}\n"
        )
        yield models, proxy


def _stored_llm_runs(folder: Path, models: Path, texts: list[tuple[str, str]]) -> None:
    """A finished run of acme_quarter_end whose roles played on the models.yaml default, with these messages."""
    spec = RunSpec(world=load_world("acme_quarter_end"), models=load_models(models), seed=0)
    personas = spec.world.personas
    roles = {
        r: RoleInfo(persona=personas[r].id, title=personas[r].title, base_model=m.ref)
        for r, m in spec.role_models().items()
    }
    messages = [Message(index=i, turn=i + 1, sender=s, to=["all"], text=t) for i, (s, t) in enumerate(texts)]
    with Store(folder) as store:
        store.start_run(spec.run_id, "acme_quarter_end", 0, spec.canonical_json, roles, [])
        store.append(spec.run_id, messages)
        store.finish_run(spec.run_id)


def _judge_calls(folder: Path) -> list[CallRecord]:
    with Store(folder) as store:
        return [c for run in store.runs() for c in store.calls(run.run_id) if c.role == "judge"]


@pytest.mark.slow
def test_analyze_judges_language_model_runs_by_default_and_pays_once(
    served: tuple[Path, FaultProxy], tmp_path: Path
) -> None:
    models, proxy = served
    folder = tmp_path / "runs"
    texts = [("dana", "The X200 battery is completely reliable."), ("devi", "I skipped one flaky test.")]
    _stored_llm_runs(folder, models, texts)
    first = runner.invoke(app, ["analyze", str(folder), "--models", str(models)], env=WIDE)
    assert first.exit_code == 0, first.output
    assert "judge: openai:smollm2 (the personas' model; --no-judge turns it off)" in first.output
    assert "disagree on" in first.output and "│ judge" in first.output
    paid = _judge_calls(folder)
    assert len(paid) >= len(texts) and not any(c.cached for c in paid)
    assert proxy.requests == sum(c.attempts for c in paid)  # every request the server saw is recorded
    assert sum(c.cost_usd for c in paid) == pytest.approx(sum(c.input_tokens + 2 * c.output_tokens for c in paid) / 1e6)

    again = runner.invoke(app, ["analyze", str(folder), "--models", str(models)], env=WIDE)
    assert again.exit_code == 0, again.output
    later = _judge_calls(folder)[len(paid) :]
    assert len(later) == len(paid) and all(c.cached and c.cost_usd == 0 for c in later)  # recorded, free
    assert proxy.requests == sum(c.attempts for c in paid)  # nothing paid again

    off = runner.invoke(app, ["analyze", str(folder), "--no-judge"], env=WIDE)
    assert off.exit_code == 0 and "judge:" not in off.output and len(_judge_calls(folder)) == 2 * len(paid)


@pytest.mark.slow
def test_a_language_model_run_ends_with_the_judge_and_its_row_in_the_usage_table(
    served: tuple[Path, FaultProxy], tmp_path: Path
) -> None:
    models, proxy = served
    out = tmp_path / "run"
    args = ["run", PLANTED, "--models", str(models), "--max-turns", "1", "--out", str(out)]  # one turn, then the judge
    result = runner.invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    assert "judge: openai:smollm2 (the personas' model" in result.output
    with Store(out) as store:
        [run] = store.runs()
        messages = [m for m in store.transcript(run.run_id).messages if not m.scripted]
        calls = store.calls(run.run_id)
    judged = [c for c in calls if c.role == "judge"]
    assert len(judged) >= len(messages)  # one reading per message at least (plus repairs, motives)
    assert proxy.requests == sum(c.attempts for c in calls if not c.cached)  # personas' and judge's, all recorded
    if judged:
        assert "│ judge" in result.output
    assert [c.index for c in calls] == list(range(len(calls)))  # the judge's numbered on after the personas'
