"""Model aliases, models.yaml, mixed base models in one world, budget and fatal-error stops, models/cache CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from fakes import Raising, ScriptedChatModel
from typer.testing import CliRunner

from skins.cli.app import app
from skins.core import BackendError, ConfigError
from skins.simulation.minds import LLMMind, MindFactory, backend_names, get_backend, registered_backend
from skins.simulation.models import (
    CachedReply,
    ModelClient,
    ModelSpec,
    ResponseCache,
    RunCalls,
    load_models,
    resolve_model,
)
from skins.simulation.runs import RunOptions, plan_runs, run_all
from skins.simulation.store import Store
from skins.worlds.library import World, load_world

runner = CliRunner()


@pytest.fixture
def acme() -> World:
    return load_world("acme_quarter_end")


def test_aliases_resolve_through_chains_and_references() -> None:
    aliases: dict[str, ModelSpec | str] = {
        "default": "cheap",
        "cheap": ModelSpec(backend="openai", model="gpt-4o-mini"),
    }
    assert resolve_model("default", aliases).ref == "openai:gpt-4o-mini"
    assert resolve_model("policy", aliases, backend_names()).backend == "policy"
    with pytest.raises(ConfigError, match="cycle"):
        resolve_model("a", {"a": "b", "b": "a"})
    with pytest.raises(ConfigError, match=r"neither a defined alias \['cheap', 'default'\].*backends are \[.*'policy'"):
        resolve_model("gpt5", aliases, backend_names())
    with pytest.raises(BackendError, match=r"unknown backend 'gpt5'.*registered backends are \[.*'policy'"):
        get_backend(resolve_model("gpt5", aliases))  # unchecked by resolve_model, the lookup lists the names


def test_a_backend_registered_for_a_block_is_undone_after_it() -> None:
    def fake(spec: ModelSpec) -> MindFactory:
        raise AssertionError("never built")

    policy = get_backend(ModelSpec(backend="policy"))
    with registered_backend("temporary", fake), registered_backend("policy", fake):
        assert "temporary" in backend_names()
        with pytest.raises(AssertionError, match="never built"):
            get_backend(ModelSpec(backend="policy"))
    assert "temporary" not in backend_names()
    again = get_backend(ModelSpec(backend="policy"))  # the built-in is back
    assert again.__qualname__ == policy.__qualname__


def test_models_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "models.yaml"
    bad.write_text("models:\n  cheap:\n    backend: openai\n    model: gpt-4o-mini\n    temprature: 0.2\n")
    with pytest.raises(ConfigError) as info:
        load_models(bad)
    assert f"{bad}:5 models.cheap.temprature: unknown field 'temprature'" in str(info.value)
    assert "'temperature'" in str(info.value)


def test_a_world_can_mix_base_models_per_role(acme: World, tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text("turns:\n  dana:\n" + "    - {thinking: scripted}\n" * 5)
    cast = {**acme.spec.cast, "dana": acme.spec.cast["dana"].model_copy(update={"base_model": "actor"})}
    world = acme.model_copy(update={"spec": acme.spec.model_copy(update={"cast": cast})})
    spec = plan_runs(world, [0], {"default": "policy", "actor": f"scripted:{script}"})[0]
    assert {r: m.ref for r, m in spec.role_models().items()}["dana"] == f"scripted:{script}"
    with Store(tmp_path / "out") as store:
        [outcome] = run_all([spec], store)
        assert outcome.status == "done"
        roles = store.transcript(spec.run_id).roles
    assert roles["dana"].base_model == f"scripted:{script}" and roles["sam"].base_model == "policy"


@pytest.fixture
def priced_backend() -> Any:
    """A backend whose every call is a valid, priced reply from a scripted chat model."""
    reply = '{"thinking": "ok", "messages": []}'

    def _priced(spec: ModelSpec) -> MindFactory:
        def make(role: str, world: World, calls: RunCalls) -> Any:
            model = ScriptedChatModel(scripts={r: [reply] * 50 for r in world.spec.cast})
            return LLMMind(role, world.personas[role], world.spec, world.personas, ModelClient(spec, model, calls))

        return make

    with registered_backend("priced", _priced):
        yield


def test_budget_caps_spending_and_stops_starting_new_runs(acme: World, tmp_path: Path, priced_backend: Any) -> None:
    priced = ModelSpec(backend="priced", model="x", price_input_per_mtok=1.0, max_tokens=64, strategy="prompt")
    specs = plan_runs(acme, range(6), {"default": priced})
    with Store(tmp_path / "free") as store:
        run_all(specs[:1], store)
        one_run = store.total_cost()
    budget = 2.5 * one_run
    with Store(tmp_path / "capped") as store:
        outcomes = run_all(specs, store, options=RunOptions(budget_usd=budget, concurrency=2))
        assert 0 < store.total_cost() <= budget
        statuses = [o.status for o in outcomes]
        assert statuses[:2] == ["done", "done"] and "not_started" in statuses, statuses
        cut = [o for o in outcomes if o.status == "interrupted"]
        assert cut and all(o.budget for o in outcomes if o.status in ("interrupted", "not_started"))
        assert all(store.run(o.run_id).status == "running" for o in cut)  # resumable
        stopped = next(o for o in outcomes if o.status == "not_started")
        assert stopped.error is not None and "budget" in stopped.error


def test_a_permanent_error_stops_the_remaining_runs_with_one_message(acme: World, tmp_path: Path) -> None:
    err = openai.AuthenticationError(
        "bad key", response=httpx.Response(401, request=httpx.Request("POST", "http://x")), body=None
    )

    def _bad(spec: ModelSpec) -> MindFactory:
        return lambda role, world, calls: LLMMind(
            role, world.personas[role], world.spec, world.personas, ModelClient(spec, Raising(error=err), calls)
        )

    with registered_backend("badkey", _bad):
        specs = plan_runs(acme, range(3), {"default": ModelSpec(backend="badkey", model="x")})
        with Store(tmp_path) as store:
            outcomes = run_all(specs, store)
    assert [o.status for o in outcomes] == ["failed", "not_started", "not_started"]
    assert outcomes[0].fatal and "AuthenticationError" in (outcomes[0].error or "")
    assert all("permanent model error" in (o.error or "") for o in outcomes[1:])


def test_models_list_and_cache_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKINS_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    models = tmp_path / "models.yaml"
    models.write_text("models:\n  default: cheap\n  cheap: {backend: openai, model: gpt-4o-mini}\n  offline: policy\n")
    listed = runner.invoke(app, ["models", "list", "--models", str(models)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "openai:gpt-4o-mini" in listed.output and "set OPENAI_API_KEY" in listed.output and "policy" in listed.output
    ResponseCache(tmp_path / "responses.db").put("k", "openai:x", CachedReply(text="t"))
    stats = runner.invoke(app, ["cache", "stats"], env={"COLUMNS": "200"})
    assert stats.exit_code == 0 and "openai:x" in stats.output
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed 1 cached replies" in cleared.output


def test_openai_without_a_key_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = runner.invoke(app, ["run", "acme_quarter_end", "--model", "openai:gpt-4o-mini", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "set the environment variable OPENAI_API_KEY" in result.output
    assert not (tmp_path / "skins.db").exists()  # nothing started
