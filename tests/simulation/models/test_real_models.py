"""Real parts: a real OpenAI-compatible server (llama.cpp with the bundled SmolLM2) on 127.0.0.1, the real
openai client through langchain-openai, the in-process local backend, and faults injected at the HTTP layer
by a proxy in front of the real server. All slow: they run the actual model on the CPU.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import shorten
from langchain_core.messages import HumanMessage
from servers import FaultProxy
from typer.testing import CliRunner

from skins.cli.app import app
from skins.simulation.minds import get_backend
from skins.simulation.models import (
    CallRecord,
    ModelClient,
    ModelSpec,
    ResponseCache,
    RunCalls,
    TransientModelError,
)
from skins.simulation.runs import RunOptions, plan_runs, run_all
from skins.simulation.store import Store
from skins.worlds.library import load_world

pytestmark = pytest.mark.slow

SECRET = "sk-test-DO-NOT-LEAK-4242"
MODEL = "smollm2-135m-instruct"


def _check_turns(store: Store, run_id: str, expected: int) -> None:
    """Every turn is there once, valid or invalid with a reason."""
    turns = store.transcript(run_id).turns
    assert [t.turn for t in turns] == list(range(1, expected + 1))
    assert all(t.valid or t.invalid_reason for t in turns)


def _files_contain(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SKINS_CACHE_DIR", str(folder))
    yield folder


def test_a_whole_world_through_chatopenai_and_a_real_server(
    local_server_url: str, tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINS_TEST_KEY", SECRET)
    models = tmp_path / "models.yaml"
    models.write_text(
        "models:\n  default: server\n"
        f"  server: {{backend: openai, model: {MODEL}, base_url: '{local_server_url}', api_key_env: SKINS_TEST_KEY,\n"
        "           strategy: json_schema, max_tokens: 300, timeout: 120,\n"
        "           price_input_per_mtok: 1.0, price_output_per_mtok: 2.0}\n"
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        ["run", "acme_quarter_end", "--models", str(models), "--out", str(out), "--no-judge"],  # judge: test_cli_judge
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Model usage" in result.output and "Who deceived whom" in result.output
    with Store(out) as store:
        [run] = store.runs()
        assert run.status == "done"
        _check_turns(store, run.run_id, 16)
        usage = store.usage(run.run_id)
        assert usage.calls >= 16 and usage.input_tokens > 0 and usage.cost_usd > 0
    for name in ("graph.graphml", "graph.json", "graph.png"):
        assert (out / name).is_file()
    assert _files_contain(tmp_path, SECRET.encode()) == [], "the API key was written to disk"


def test_the_local_backend_runs_a_whole_world_in_process(tmp_path: Path) -> None:
    world = load_world("acme_quarter_end")
    spec = ModelSpec(backend="local", threads=1, max_tokens=300)
    cache = ResponseCache(tmp_path / "cache.db")
    [plan] = plan_runs(world, [0], {"default": spec})
    with Store(tmp_path / "out") as store:
        [outcome] = run_all([plan], store, options=RunOptions(cache=cache))
        assert outcome.status == "done", outcome.error
        _check_turns(store, plan.run_id, 16)
        calls = store.calls(plan.run_id)
        assert all(c.model == "local" and not c.cached for c in calls)
    with Store(tmp_path / "again") as store:  # a replay is served entirely from the cache
        [again] = run_all([plan], store, options=RunOptions(cache=cache))
        assert again.status == "done" and all(c.cached for c in store.calls(plan.run_id))
        assert store.transcript(plan.run_id).turns == Store(tmp_path / "out").transcript(plan.run_id).turns


def _proxy_spec(proxy: FaultProxy, **extra: object) -> ModelSpec:
    settings: dict[str, object] = {
        "backend": "openai",
        "model": MODEL,
        "base_url": proxy.base_url,
        "api_key_env": "SKINS_TEST_KEY",
        "strategy": "json_schema",
        "max_tokens": 200,
        "timeout": 120,
        "backoff": 0.05,
        "max_attempts": 4,
    }
    return ModelSpec.model_validate({**settings, **extra})


def _consistent(proxy: FaultProxy, calls: list[CallRecord], cache: ResponseCache) -> None:
    """Each attempt was one request; only successes reached the cache; nothing was answered twice."""
    paid = [c for c in calls if not c.cached]
    assert proxy.requests == sum(c.attempts for c in paid)
    assert sum(n for n, _ in cache.stats().values()) == sum(1 for c in paid if c.error is None)


def test_transient_http_faults_are_retried_and_leave_no_trace(
    fault_proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINS_TEST_KEY", SECRET)
    fault_proxy.status(429, headers={"Retry-After": "0"})
    fault_proxy.status(500)
    fault_proxy.status(503)
    fault_proxy.truncate()  # the first call meets four faults; its fifth attempt succeeds
    cache = ResponseCache(tmp_path / "cache.db")
    spec = _proxy_spec(fault_proxy, max_attempts=5)
    [plan] = plan_runs(shorten(load_world("acme_quarter_end"), 3), [0], {"default": spec})
    with Store(tmp_path / "out") as store:
        [outcome] = run_all([plan], store, options=RunOptions(cache=cache))
        assert outcome.status == "done", outcome.error
        _check_turns(store, plan.run_id, 3)
        calls = store.calls(plan.run_id)
    assert calls[0].attempts == 5 and all(c.attempts == 1 for c in calls[1:]) and all(c.error is None for c in calls)
    assert fault_proxy.pending == 0
    _consistent(fault_proxy, calls, cache)
    before = fault_proxy.requests
    with Store(tmp_path / "replay") as store:  # replay: every reply from the cache, no request at all
        [again] = run_all([plan], store, options=RunOptions(cache=cache))
        assert again.status == "done" and fault_proxy.requests == before
    assert _files_contain(tmp_path, SECRET.encode()) == []


def test_timeouts_and_resets_are_retried_within_the_budget(
    fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINS_TEST_KEY", SECRET)
    records: list[CallRecord] = []
    spec = _proxy_spec(fault_proxy, timeout=2.0, max_tokens=5, max_attempts=3)
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    model = ChatOpenAI(
        model=MODEL,
        base_url=fault_proxy.base_url,
        api_key=SecretStr(SECRET),
        timeout=2.0,
        max_retries=0,
        max_completion_tokens=5,
    )
    client = ModelClient(spec, model, RunCalls(seed=0, cache=None, sink=records.append))
    ask = [HumanMessage("Say hi.")]

    async def scenario() -> None:  # one event loop, as in a real run (the SDK's client is bound to it)
        fault_proxy.delay(6.0)
        fault_proxy.reset()
        assert await client.complete(ask, "prompt", {}, "dana", 1) is not None
        assert records[-1].attempts == 3 and records[-1].error is None
        for _ in range(3):
            fault_proxy.reset()
        with pytest.raises(TransientModelError, match=r"failed 3 times; last error (API|OpenAI)ConnectionError"):
            await client.complete(ask, "prompt", {}, "dana", 2)
        assert records[-1].error is not None and records[-1].attempts == 3

    asyncio.run(scenario())


def test_garbage_replies_become_invalid_turns_and_the_run_goes_on(
    fault_proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINS_TEST_KEY", SECRET)
    fault_proxy.content('{"type": "object", "properties": {"thinking": {"type": "string"}}}')  # schema echo
    fault_proxy.content("")  # then an empty reply to the repair request
    cache = ResponseCache(tmp_path / "cache.db")
    [plan] = plan_runs(shorten(load_world("acme_quarter_end"), 2), [0], {"default": _proxy_spec(fault_proxy)})
    with Store(tmp_path / "out") as store:
        [outcome] = run_all([plan], store, options=RunOptions(cache=cache))
        assert outcome.status == "done"
        first, second = store.transcript(plan.run_id).turns
        calls = store.calls(plan.run_id)
    assert not first.valid and "invalid output after 2 attempts" in (first.invalid_reason or "")
    assert "empty" in (first.invalid_reason or "") and first.raw == ""
    assert second.turn == 2  # the run went on
    _consistent(fault_proxy, calls, cache)


def test_a_bad_key_fails_at_once_and_stops_the_sweep(
    fault_proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKINS_TEST_KEY", SECRET)
    error = {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}
    body = json.dumps({"error": error})
    fault_proxy.status(401, body=body)
    plans = plan_runs(shorten(load_world("acme_quarter_end"), 2), [0, 1, 2], {"default": _proxy_spec(fault_proxy)})
    get_backend(plans[0].role_models()["dana"])
    with Store(tmp_path) as store:
        outcomes = run_all(plans, store, options=RunOptions(cache=ResponseCache(tmp_path / "cache.db")))
        assert [o.status for o in outcomes] == ["failed", "not_started", "not_started"]
        assert outcomes[0].fatal and "AuthenticationError" in (outcomes[0].error or "")
        [call] = store.calls(plans[0].run_id)
    assert call.attempts == 1 and fault_proxy.requests == 1 and fault_proxy.upstream_calls == 0
