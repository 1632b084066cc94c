"""The model-call layer: which errors are retried, Retry-After, the cache, usage and cost, fatal errors.

Faults are injected with a fake chat model raising the openai SDK's real exception types.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import BaseModel, Field

from skins.simulation.models import (
    CallKeys,
    CallRecord,
    FatalModelError,
    ModelClient,
    ModelSpec,
    ResponseCache,
    RetryPolicy,
    RunCalls,
    StructuredModel,
    TransientModelError,
    classify,
    retry_after,
    sweep_scope,
)

_REQ = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def status_error(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    cls = {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        403: openai.PermissionDeniedError,
        404: openai.NotFoundError,
        429: openai.RateLimitError,
        500: openai.InternalServerError,
        503: openai.InternalServerError,
    }[code]
    return cls(f"HTTP {code}", response=httpx.Response(code, headers=headers or {}, request=_REQ), body=None)


class Flaky(BaseChatModel):
    """Plays a list of outcomes: an exception is raised, a string is the reply. Raises when exhausted."""

    outcomes: list[Any]
    seen: int = 0
    prompts: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "flaky-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        if self.seen >= len(self.outcomes):
            raise AssertionError("no scripted outcome left")
        outcome = self.outcomes[self.seen]
        self.seen += 1
        self.prompts.append(list(messages))
        if isinstance(outcome, BaseException):
            raise outcome
        usage = {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=outcome, usage_metadata=usage))])


def _client(
    outcomes: Sequence[Any], cache: ResponseCache | None = None, **spec: Any
) -> tuple[ModelClient, Flaky, list[CallRecord]]:
    model = Flaky(outcomes=list(outcomes))
    records: list[CallRecord] = []
    settings = ModelSpec(backend="openai", model="m", base_url="http://127.0.0.1:9/v1", backoff=0.001, **spec)
    return ModelClient(settings, model, RunCalls(seed=0, cache=cache, sink=records.append)), model, records


def _ask(client: ModelClient, text: str = "hi") -> str:
    return asyncio.run(client.complete([HumanMessage(text)], "prompt", {}, "dana", 1)).text


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (status_error(429), "retry"),
        (status_error(500), "retry"),
        (status_error(503), "retry"),
        (openai.APITimeoutError(request=_REQ), "retry"),
        (openai.APIConnectionError(request=_REQ), "retry"),
        (TimeoutError(), "retry"),
        (ConnectionResetError(), "retry"),
        (status_error(400), "fatal"),
        (status_error(401), "fatal"),
        (status_error(403), "fatal"),
        (status_error(404), "fatal"),
        (ValueError("bug"), None),
        (KeyError("bug"), None),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_classify(error: BaseException, verdict: str | None) -> None:
    assert classify(error) == verdict


def test_retry_after_is_read_and_honoured() -> None:
    assert retry_after(status_error(429, {"retry-after": "7"})) == 7.0
    assert retry_after(status_error(429, {"retry-after-ms": "250"})) == 0.25
    assert retry_after(status_error(429, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) is None
    policy = RetryPolicy(base=0.5, cap=30)
    assert policy.wait(0, 0.3, hint=7.0) == 7.0
    assert 0.25 <= policy.wait(0, 0.0) <= 0.5 and policy.wait(10, 0.99) <= 30


@pytest.mark.parametrize(
    "fault",
    [
        status_error(429, {"retry-after": "0"}),
        status_error(500),
        status_error(503),
        openai.APITimeoutError(request=_REQ),
        openai.APIConnectionError(request=_REQ),
    ],
    ids=["429", "500", "503", "timeout", "connection"],
)
def test_transient_faults_are_retried_then_succeed(fault: BaseException) -> None:
    client, model, records = _client([fault, fault, "ok"])
    assert _ask(client) == "ok"
    assert model.seen == 3 and records[-1].attempts == 3 and records[-1].error is None


@pytest.mark.parametrize("code", [400, 401, 403, 404])
def test_client_errors_are_never_retried(code: int) -> None:
    client, model, records = _client([status_error(code), "never"])
    with pytest.raises(FatalModelError, match="not retried"):
        _ask(client)
    assert model.seen == 1 and records[-1].attempts == 1 and records[-1].error


def test_retries_are_bounded() -> None:
    client, model, records = _client([status_error(503)] * 10, max_attempts=3)
    with pytest.raises(TransientModelError, match="failed 3 times"):
        _ask(client)
    assert model.seen == 3 and records[-1].attempts == 3


def test_cache_serves_a_repeat_without_a_model_call_and_never_stores_errors(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    client, _, _ = _client([status_error(503), "first"], cache=cache)
    assert _ask(client) == "first"
    assert sum(n for n, _ in cache.stats().values()) == 1  # only the success
    again, model2, records2 = _client(["must not be used"], cache=cache)
    assert _ask(again) == "first" and model2.seen == 0
    assert records2[-1].cached and records2[-1].cost_usd == 0.0


def test_call_index_separates_identical_prompts_within_a_run(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    client, model, _ = _client(["one", "two"], cache=cache)
    assert (_ask(client), _ask(client)) == ("one", "two")  # same prompt, 2nd call is a new sample
    assert model.seen == 2


def test_usage_and_cost_are_recorded() -> None:
    client, _, records = _client(["ok"], price_input_per_mtok=2.5, price_output_per_mtok=10.0)
    _ask(client)
    assert (records[0].input_tokens, records[0].output_tokens) == (100, 20)
    assert records[0].cost_usd == pytest.approx((100 * 2.5 + 20 * 10.0) / 1e6)


def test_the_concurrency_cap_is_shared_by_every_client_of_an_endpoint() -> None:
    in_flight, peak = 0, 0

    class Slow(Flaky):
        async def _agenerate(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> ChatResult:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return self._generate(messages)

    clients = []
    for _ in range(3):  # three runs, two aliases of the same endpoint with different settings
        for temperature in (0.2, 0.9):
            settings = ModelSpec(
                backend="openai",
                model="m",
                base_url="http://127.0.0.1:9/v1",
                max_concurrency=2,
                temperature=temperature,
            )
            clients.append(
                ModelClient(settings, Slow(outcomes=["ok"]), RunCalls(seed=0, cache=None, sink=lambda c: None))
            )

    async def burst() -> list[str]:
        replies = await asyncio.gather(*(c.complete([HumanMessage("x")], "prompt", {}, "r", 1) for c in clients))
        return [r.text for r in replies]

    assert asyncio.run(burst()) == ["ok"] * 6
    assert peak == 2


KEY_SCHEMA = {"type": "object", "properties": {"ü": {"type": "string"}}, "required": ["ü"]}
KEY_MESSAGES = [SystemMessage('You are «X» (role id "a").'), HumanMessage("turn 2\n{json}"), AIMessage("x")]


@pytest.mark.parametrize(
    ("settings", "pinned"),
    [
        (
            {"backend": "openai", "model": "gpt-x", "strategy": "json_schema"},
            {
                ("prompt", 0): "27a18ae002f2d774e9bb9254eefcb21746355474b27b95c7501dc17e28f59e78",
                ("prompt", 12): "67e94a7392d0b72fe56318171240a660ffbf474579b88ac67af1319ebb994ae3",
                ("json_schema", 1): "316d56d4e1c079d2d77b97acd5775fe2720242cc01d5db6bef57d691c7e67a49",
            },
        ),
        (
            {"backend": "openai", "model": "q", "base_url": "http://127.0.0.1:9/v1", "temperature": 0.3, "seed": 7},
            {
                ("prompt", 0): "357178f02b3ebc884bab2cf2ef93784f3995c59bbe519352232e2ebdb71f0e3a",
                ("prompt", 12): "e138a234403bab119f9b869f69963b33ee81daea3116ba8ae20738870407d378",
                ("json_schema", 1): "5a3c27804fa5442e1358772c496d6d7e4d27b948b9b8ef4a6b18ca48f70038d6",
            },
        ),
        (
            {"backend": "local", "model": "smol", "strategy": "tool_call", "max_tokens": 64},
            {
                ("prompt", 0): "c0262c9aab079a78e84cbbe4adb7d5035bc46ad9987b959138b0a0693aa667a6",
                ("prompt", 12): "0a548fb6baaef0562d61ff902cc7cb11349def47c4453a0eed29db592b0f4c32",
                ("json_schema", 1): "7bf65615235d4c376d88df1b232d513e0c2ac0c36a4deb8cbc93a3691d9b40a3",
            },
        ),
    ],
    ids=["openai", "base-url-and-seed", "local-tool-call"],
)
def test_cache_keys_are_pinned_so_existing_caches_stay_valid(
    settings: dict[str, Any], pinned: dict[tuple[str, int], str]
) -> None:
    """Keys of fixed calls (run seed 3; json_schema with an empty schema): any change to how a key is
    built shows here, and would make every stored reply unreachable."""
    spec = ModelSpec(**settings)
    for (strategy, index), key in pinned.items():
        schema = KEY_SCHEMA if strategy == "prompt" else {}
        assert CallKeys(spec, strategy, schema, seed=3).key(index, KEY_MESSAGES) == key


def test_the_client_stores_a_reply_under_the_pinned_key(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    spec = ModelSpec(backend="openai", model="gpt-x")
    client = ModelClient(spec, Flaky(outcomes=["ok"]), RunCalls(seed=3, cache=cache, sink=lambda c: None))
    assert asyncio.run(client.complete(KEY_MESSAGES, "prompt", KEY_SCHEMA, "a", 1)).text == "ok"  # the run's call 0
    hit = cache.get("27a18ae002f2d774e9bb9254eefcb21746355474b27b95c7501dc17e28f59e78")
    assert hit is not None and hit.text == "ok"


def test_a_cache_key_changes_with_each_part_and_a_models_own_seed_wins() -> None:
    spec = ModelSpec(backend="openai", model="m")
    base = CallKeys(spec, "prompt", KEY_SCHEMA, seed=3).key(1, KEY_MESSAGES)
    variants = [
        CallKeys(spec, "prompt", KEY_SCHEMA, seed=4).key(1, KEY_MESSAGES),
        CallKeys(spec, "json_object", KEY_SCHEMA, seed=3).key(1, KEY_MESSAGES),
        CallKeys(spec, "prompt", {}, seed=3).key(1, KEY_MESSAGES),
        CallKeys(spec, "prompt", KEY_SCHEMA, seed=3).key(2, KEY_MESSAGES),
        CallKeys(spec, "prompt", KEY_SCHEMA, seed=3).key(1, KEY_MESSAGES[:2]),
        CallKeys(spec.model_copy(update={"temperature": 0.1}), "prompt", KEY_SCHEMA, seed=3).key(1, KEY_MESSAGES),
    ]
    assert len({base, *variants}) == 1 + len(variants)
    seeded = spec.model_copy(update={"seed": 9})
    assert CallKeys(seeded, "prompt", {}, seed=3).key(0, []) == CallKeys(seeded, "prompt", {}, seed=4).key(0, [])


def test_runs_of_a_sweep_share_a_key_frame_and_keep_their_own_seeds() -> None:
    spec = ModelSpec(backend="openai", model="m")
    alone = [CallKeys(spec, "prompt", KEY_SCHEMA, seed).key(1, KEY_MESSAGES) for seed in (3, 4)]

    async def in_a_sweep() -> list[str]:
        with sweep_scope():
            return [CallKeys(spec, "prompt", KEY_SCHEMA, seed).key(1, KEY_MESSAGES) for seed in (3, 4)]

    assert asyncio.run(in_a_sweep()) == alone


class Verdict(BaseModel):
    guilty: bool


def _structured(
    outcomes: Sequence[Any], cache: ResponseCache | None = None, **spec: Any
) -> tuple[StructuredModel, Flaky, list[CallRecord]]:
    records: list[CallRecord] = []
    settings = ModelSpec(backend="openai", model="m", base_url="http://127.0.0.1:9/v1", backoff=0.001, **spec)
    model = Flaky(outcomes=list(outcomes))
    return StructuredModel(settings, cache, on_call=records.append, chat=model), model, records


def test_asking_for_a_structured_reply_repairs_it_and_reports_usage() -> None:
    judge, model, records = _structured(["no idea", 'Sure: {"guilty": true}'])
    answer = asyncio.run(judge.session().ask("You judge.", "Guilty?", Verdict, repairs=1, turn=3))
    assert answer.reply == Verdict(guilty=True) and answer.error is None
    assert [(c.index, c.role, c.turn, c.input_tokens) for c in answer.calls] == [
        (0, "judge", 3, 100),
        (1, "judge", 3, 100),
    ]
    assert list(answer.calls) == records  # every call also reaches on_call
    assert "not usable: the reply contains no JSON object" in str(model.prompts[1][-1].content)


def test_a_structured_reply_that_never_fits_or_never_comes_is_an_answer_without_reply() -> None:
    judge, _, _ = _structured(['{"guilty": "maybe"}', "[]"])
    answer = asyncio.run(judge.session().ask("You judge.", "Guilty?", Verdict, repairs=1))
    assert answer.reply is None and "contains no JSON object" in (answer.error or "") and len(answer.calls) == 2
    judge, _, _ = _structured([status_error(503)], max_attempts=1)
    answer = asyncio.run(judge.session().ask("You judge.", "Guilty?", Verdict))
    assert answer.reply is None and "failed 1 times" in (answer.error or "") and answer.calls[0].error is not None
    judge, _, _ = _structured([status_error(401)])
    with pytest.raises(FatalModelError):
        asyncio.run(judge.session().ask("You judge.", "Guilty?", Verdict))


def test_each_session_numbers_its_calls_from_zero_so_asking_again_is_cached(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    first, _, _ = _structured(['{"guilty": false}', '{"guilty": true}'], cache)
    session = first.session()
    asked = [asyncio.run(session.ask("You judge.", q, Verdict)) for q in ("A?", "B?")]
    again, _, records = _structured([], cache)  # its model raises if it is asked
    session = again.session()
    replayed = [asyncio.run(session.ask("You judge.", q, Verdict)) for q in ("A?", "B?")]
    assert [a.reply for a in replayed] == [a.reply for a in asked] and all(c.cached for c in records)
